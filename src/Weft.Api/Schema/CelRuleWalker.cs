using Weft.Api.Documents;
using Weft.Api.GoCompat;

namespace Weft.Api.Schema;

/// <summary>
/// Runs x-kubernetes-validations rules where the API server does: on every present, non-null value whose
/// schema carries rules, walking properties, map values and list items (never oneOf/anyOf alternatives).
/// </summary>
internal sealed class CelRuleWalker(ValidationRun run, ICelRuleEvaluator evaluator)
{
    private PathStack Path => run.Path;

    public void Walk(SchemaNode schema, Node node)
    {
        if (node is ScalarNode { IsNull: true } || !RuleIndex.HasRules(schema))
        {
            return;
        }

        if (schema.Rules is { } rules)
        {
            for (var i = 0; i < rules.Count; i++)
            {
                Evaluate(schema, rules[i], node);
            }
        }

        switch (node)
        {
            case MapNode map:
                for (var i = 0; i < map.Count; i++)
                {
                    var entry = map.Entries[i];
                    if (schema.Properties is { } properties && properties.TryGetValue(entry.Key, out var property))
                    {
                        Path.PushField(entry.Key);
                        Walk(property, entry.Value);
                        Path.Pop();
                    }
                    else if (schema.AdditionalProperties is { } additional)
                    {
                        Path.PushKey(entry.Key);
                        Walk(additional, entry.Value);
                        Path.Pop();
                    }
                }

                break;
            case ListNode list when schema.Items is { } items:
                for (var i = 0; i < list.Count; i++)
                {
                    Path.PushIndex(i);
                    Walk(items, list.Items[i]);
                    Path.Pop();
                }

                break;
        }
    }

    private void Evaluate(SchemaNode schema, CelRule rule, Node self)
    {
        if (string.IsNullOrWhiteSpace(rule.Rule))
        {
            return;
        }

        CelOutcome outcome;
        try
        {
            outcome = evaluator.Evaluate(rule, self);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // One rule the evaluator cannot cope with must not take the whole validation down with it.
            outcome = CelOutcome.Fault(e.Message);
        }

        if (outcome.Kind == CelOutcomeKind.Passed)
        {
            return;
        }

        // The API server shows the schema's declared type where other errors show the value.
        var type = GoStrconv.Quote(SchemaTypes.Name(schema.Type) ?? string.Empty);
        if (outcome.Kind == CelOutcomeKind.Error)
        {
            var why = string.IsNullOrWhiteSpace(outcome.Error) ? "the rule could not be evaluated" : outcome.Error.Trim();
            ValidationRun.Report(run.Cel, Path.Subscripted(), ApiErrors.Invalid(type, $"{why} evaluating rule: {RuleText(rule)}"), self.Location);
            return;
        }

        // messageExpression is not evaluated here; the API server falls back to the same static text when it fails.
        var detail = string.IsNullOrWhiteSpace(rule.Message) ? "failed rule: " + RuleText(rule) : rule.Message.Trim();
        var path = string.IsNullOrEmpty(rule.FieldPath) ? Path.Subscripted() : WithFieldPath(schema, rule.FieldPath);
        var message = rule.Reason switch
        {
            "FieldValueForbidden" => ApiErrors.Forbidden(detail),
            "FieldValueRequired" => ApiErrors.Required(detail),
            "FieldValueDuplicate" => ApiErrors.Duplicate(type),
            _ => ApiErrors.Invalid(type, detail),
        };
        ValidationRun.Report(run.Cel, path, message, self.Location);
    }

    private static string RuleText(CelRule rule) => string.IsNullOrWhiteSpace(rule.Message) ? rule.Rule.Trim() : rule.Message.Trim();

    // fieldPath is a JSONPath-like suffix (".a.b", "['a.b']") relative to the rule's node; properties become
    // ".name" and map keys "[key]", as field.Path writes them.
    private string WithFieldPath(SchemaNode schema, string fieldPath)
    {
        var sb = new System.Text.StringBuilder(Path.Subscripted());
        var s = schema;
        var i = 0;
        while (i < fieldPath.Length)
        {
            string name;
            if (fieldPath[i] == '.')
            {
                var end = fieldPath.IndexOfAny(['.', '['], i + 1);
                end = end < 0 ? fieldPath.Length : end;
                name = fieldPath[(i + 1)..end];
                i = end;
            }
            else if (fieldPath[i] == '[' && i + 1 < fieldPath.Length && fieldPath[i + 1] == '\'')
            {
                var end = fieldPath.IndexOf("']", i + 2, StringComparison.Ordinal);
                end = end < 0 ? fieldPath.Length : end;
                name = fieldPath[(i + 2)..end].Replace("\\'", "'", StringComparison.Ordinal).Replace("\\\\", "\\", StringComparison.Ordinal);
                i = Math.Min(fieldPath.Length, end + 2);
            }
            else
            {
                // Not a path the API server would have accepted on the CRD; show it as written.
                return sb.Append('.').Append(fieldPath.TrimStart('.')).ToString();
            }

            if (s?.Properties is { } properties)
            {
                sb.Append(sb.Length > 0 ? "." : string.Empty).Append(name);
                s = properties.GetValueOrDefault(name);
            }
            else
            {
                sb.Append('[').Append(name).Append(']');
                s = s?.AdditionalProperties;
            }
        }

        return sb.ToString();
    }
}
