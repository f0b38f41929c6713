using Weft.Api.Documents;
using Weft.Api.Schema;

namespace Weft.Api.Tests.Schema.Cel;

/// <summary>
/// Applies the CEL rules of a schema to a document the way the API server does: each rule runs on the
/// value of the schema node it is attached to, for every present, non-null value, and a failure is
/// reported as a field error ("path: Invalid value: "type": message").
/// </summary>
internal static class CelRuleWalker
{
    public sealed record Result(string Path, SchemaNode Schema, CelRule Rule, CelOutcome Outcome)
    {
        /// <summary>The message Kubernetes would report for a rule that did not pass.</summary>
        public string Message
        {
            get
            {
                var what = string.IsNullOrWhiteSpace(Rule.Message) ? Rule.Rule : Rule.Message.Trim();
                var text = Outcome.Kind == CelOutcomeKind.Error
                    ? $"{Outcome.Error} evaluating rule: {what}"
                    : string.IsNullOrWhiteSpace(Rule.Message) ? "failed rule: " + Rule.Rule : Rule.Message.Trim();
                return $"{Path}: Invalid value: \"{TypeName(Schema)}\": {text}";
            }
        }
    }

    public static List<Result> Apply(ICelRuleEvaluator evaluator, SchemaNode schema, Node value)
    {
        var results = new List<Result>();
        Walk(evaluator, schema, value, string.Empty, results);
        return results;
    }

    /// <summary>Every rule in a schema tree, with the path of the node that carries it.</summary>
    public static IEnumerable<(string Path, CelRule Rule)> Rules(SchemaNode schema, string path = "")
    {
        foreach (var rule in schema.Rules ?? [])
        {
            yield return (path, rule);
        }

        foreach (var (name, child) in schema.Properties ?? new Dictionary<string, SchemaNode>())
        {
            foreach (var r in Rules(child, Join(path, name)))
            {
                yield return r;
            }
        }

        var nested = new[] { (schema.AdditionalProperties, "[*]"), (schema.Items, "[*]"), (schema.Not, "(not)") };
        foreach (var (child, suffix) in nested)
        {
            if (child is not null)
            {
                foreach (var r in Rules(child, path + suffix))
                {
                    yield return r;
                }
            }
        }

        foreach (var alternative in (schema.AllOf ?? []).Concat(schema.AnyOf ?? []).Concat(schema.OneOf ?? []))
        {
            foreach (var r in Rules(alternative, path + "(alt)"))
            {
                yield return r;
            }
        }
    }

    private static void Walk(ICelRuleEvaluator evaluator, SchemaNode schema, Node value, string path, List<Result> results)
    {
        if (value is ScalarNode { IsNull: true })
        {
            return;
        }

        foreach (var rule in schema.Rules ?? [])
        {
            results.Add(new Result(path, schema, rule, evaluator.Evaluate(rule, value)));
        }

        switch (value)
        {
            case MapNode map:
                foreach (var entry in map.Entries)
                {
                    if (schema.Properties is { } props && props.TryGetValue(entry.Key, out var property))
                    {
                        Walk(evaluator, property, entry.Value, Join(path, entry.Key), results);
                    }
                    else if (schema.AdditionalProperties is { } values)
                    {
                        Walk(evaluator, values, entry.Value, $"{path}[{entry.Key}]", results);
                    }
                }

                break;
            case ListNode list when schema.Items is { } items:
                for (var i = 0; i < list.Count; i++)
                {
                    Walk(evaluator, items, list.Items[i], $"{path}[{i}]", results);
                }

                break;
        }
    }

    private static string Join(string path, string name) => path.Length == 0 ? name : path + "." + name;

    private static string TypeName(SchemaNode schema) => SchemaTypes.Name(schema.Type) ?? string.Empty;
}
