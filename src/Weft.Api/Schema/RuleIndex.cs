using System.Runtime.CompilerServices;

namespace Weft.Api.Schema;

/// <summary>Remembers, per schema node, whether any x-kubernetes-validations rule sits at or below it, so the CEL walk skips the rest.</summary>
internal static class RuleIndex
{
    private static readonly ConditionalWeakTable<SchemaNode, StrongBox<bool>> Cache = [];

    public static bool HasRules(SchemaNode schema) =>
        Cache.GetValue(schema, static s => new StrongBox<bool>(Compute(s))).Value;

    private static bool Compute(SchemaNode s)
    {
        if (s.Rules is { Count: > 0 })
        {
            return true;
        }

        if ((s.Items is { } items && HasRules(items)) || (s.AdditionalProperties is { } additional && HasRules(additional)))
        {
            return true;
        }

        if (s.Properties is { } properties)
        {
            foreach (var property in properties.Values)
            {
                if (HasRules(property))
                {
                    return true;
                }
            }
        }

        return false;
    }
}
