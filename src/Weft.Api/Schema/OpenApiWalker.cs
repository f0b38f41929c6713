using Weft.Api.Documents;
using Weft.Api.GoCompat;

namespace Weft.Api.Schema;

/// <summary>
/// Validates a value against a schema as the API server's OpenAPI validator (kube-openapi) does, checking in its
/// order: type, oneOf/anyOf/allOf/not, string, format, number, array, enum, object. On the primary walk it also
/// notes what the pruner would drop (unknown fields) and checks x-kubernetes-list-type, which the server does in
/// separate passes over the same tree.
/// </summary>
internal sealed class OpenApiWalker(ValidationRun run)
{
    // Findings of alternatives that are only counted land here and are dropped.
    private readonly List<Finding> _discard = [];

    // -1 outside counting mode; otherwise the failures counted so far.
    private int _counted = -1;

    public ValidationRun Run { get; } = run;

    public PathStack Path => Run.Path;

    /// <summary>
    /// Whether a failure is only being counted (an oneOf/anyOf/allOf/not alternative being tried), in which
    /// case it is counted here and the caller must not build its message: most alternatives fail by design.
    /// </summary>
    public bool OnlyCounting()
    {
        if (_counted < 0)
        {
            return false;
        }

        _counted++;
        return true;
    }

    public bool IsCounting => _counted >= 0;

    /// <summary>Forgets a counting mode an exception may have left behind, before the run is reused.</summary>
    public void Reset()
    {
        _counted = -1;
        _discard.Clear();
    }

    /// <summary>How many checks of <paramref name="schema"/> fail for <paramref name="node"/>, without messages.</summary>
    public int CountFailures(SchemaNode schema, Node node)
    {
        var outer = _counted;
        _counted = 0;
        Validate(schema, node, _discard, primary: false);
        var failures = _counted;
        _counted = outer;
        _discard.Clear();
        return failures;
    }

    /// <param name="primary">False for the alternatives of oneOf/anyOf/allOf/not, whose failures only count.</param>
    public void Validate(SchemaNode schema, Node node, List<Finding> sink, bool primary)
    {
        var value = JsonValue.Of(node);
        TypeRule.Check(this, schema, value, sink);
        if (value.Kind == JsonKind.Null)
        {
            // kube-openapi runs only the type and enum checks on null.
            EnumRule.Check(this, schema, value, sink);
            return;
        }

        if (schema.OneOf is not null || schema.AnyOf is not null || schema.AllOf is not null || schema.Not is not null)
        {
            CompositionRules.Check(this, schema, node, sink);
        }

        switch (value.Kind)
        {
            case JsonKind.String:
                StringRules.Check(this, schema, value, sink);
                break;
            case JsonKind.Integer or JsonKind.Number:
                NumberRules.Check(this, schema, value, sink);
                break;
            case JsonKind.Array:
                ValidateArray(schema, (ListNode)node, sink, primary);
                break;
        }

        EnumRule.Check(this, schema, value, sink);
        if (value.Kind == JsonKind.Object)
        {
            ValidateObject(schema, (MapNode)node, sink, primary);
        }
    }

    private void ValidateArray(SchemaNode schema, ListNode list, List<Finding> sink, bool primary)
    {
        if (schema.Items is { } items)
        {
            for (var i = 0; i < list.Count; i++)
            {
                Path.PushIndex(i);
                Validate(items, list.Items[i], sink, primary);
                Path.Pop();
            }
        }
        else if (primary && Run.Options.Strict && !schema.PreserveUnknownFields)
        {
            // Without an item schema the pruner drops every field of every object in the list.
            for (var i = 0; i < list.Count; i++)
            {
                Path.PushIndex(i);
                ReportAllUnknown(list.Items[i]);
                Path.Pop();
            }
        }

        if (schema.MinItems is { } min && list.Count < min && !OnlyCounting())
        {
            var path = Path.Dotted();
            ValidationRun.Report(sink, path, ApiErrors.Invalid(list.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), ApiErrors.InBody(path, $"should have at least {min} items")), list.Location);
        }

        if (schema.MaxItems is { } max && list.Count > max && !OnlyCounting())
        {
            ValidationRun.Report(sink, Path.Dotted(), ApiErrors.TooMany(list.Count, max), list.Location, blocking: true);
        }

        if (primary && schema.ListType is "set" or "map")
        {
            ListTypeRule.Check(this, schema, list);
        }
    }

    private void ValidateObject(SchemaNode schema, MapNode map, List<Finding> sink, bool primary)
    {
        if (schema.MinProperties is { } min && map.Count < min && !OnlyCounting())
        {
            var path = Path.Dotted();
            ValidationRun.Report(sink, path, ApiErrors.Invalid(map.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), ApiErrors.InBody(path, $"should have at least {min} properties")), map.Location);
        }

        if (schema.MaxProperties is { } max && map.Count > max && !OnlyCounting())
        {
            ValidationRun.Report(sink, Path.Dotted(), ApiErrors.TooMany(map.Count, max), map.Location, blocking: true);
        }

        var atRoot = Path.Depth == 0;
        var entries = map.Entries;
        for (var i = 0; i < entries.Count; i++)
        {
            var entry = entries[i];
            if (schema.Properties is { } properties && properties.TryGetValue(entry.Key, out var property))
            {
                Path.PushField(entry.Key);
                Validate(property, entry.Value, sink, primary);
                Path.Pop();
            }
            else if (schema.AdditionalProperties is { } additional)
            {
                Path.PushKey(entry.Key);
                Validate(additional, entry.Value, sink, primary);
                Path.Pop();
            }
            else if (primary && Run.Options.Strict && !schema.PreserveUnknownFields && !(atRoot && IsTypeOrObjectMeta(entry.Key)))
            {
                ReportUnknown(entry);
            }
        }

        if (schema.Required is { } required)
        {
            for (var i = 0; i < required.Count; i++)
            {
                var name = required[i];
                if (!map.ContainsKey(name) && !OnlyCounting())
                {
                    ValidationRun.Report(sink, Path.DottedChild(name), ApiErrors.Required(), map.Location, blocking: true);
                }
            }
        }
    }

    // The pruner never touches a resource's own apiVersion, kind and metadata; metadata is checked as ObjectMeta.
    private static bool IsTypeOrObjectMeta(string key) => key is "apiVersion" or "kind" or "metadata";

    private void ReportAllUnknown(Node node)
    {
        switch (node)
        {
            case MapNode map:
                for (var i = 0; i < map.Count; i++)
                {
                    ReportUnknown(map.Entries[i]);
                }

                break;
            case ListNode list:
                for (var i = 0; i < list.Count; i++)
                {
                    Path.PushIndex(i);
                    ReportAllUnknown(list.Items[i]);
                    Path.Pop();
                }

                break;
        }
    }

    private void ReportUnknown(MapEntry entry) =>
        ValidationRun.Report(Run.Unknown, Path.DottedChild(entry.Key), "unknown field " + GoStrconv.Quote(entry.Key), entry.KeyLocation);
}
