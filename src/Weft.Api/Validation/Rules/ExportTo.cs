namespace Weft.Api.Validation.Rules;

/// <summary>
/// Istio's <c>exportTo</c> rules (<c>validateExportTo</c>): entries are '.', '*', or a namespace (DNS-1123 label),
/// no duplicates ('.' counts as the resource's own namespace), '*' alone, '~' only for ServiceEntry and alone,
/// and a DestinationRule with a workload selector exported to its own namespace only.
/// </summary>
internal static class ExportTo
{
    /// <summary>
    /// Reports problems of <paramref name="exportTo"/> (at <c>path[i]</c> for one entry, <paramref name="path"/> for
    /// the list). <paramref name="configNamespace"/> is the resource's namespace (istioctl assumes "default").
    /// </summary>
    public static void Validate(
        ValidationContext context,
        string path,
        string configNamespace,
        IReadOnlyList<string>? exportTo,
        bool isServiceEntry,
        bool isDestinationRuleWithSelector)
    {
        if (exportTo is null || exportTo.Count == 0)
        {
            return;
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < exportTo.Count; i++)
        {
            var entry = exportTo[i];
            var key = entry == "." ? configNamespace : entry;
            if (seen.Contains(key))
            {
                context.Error($"{path}[{i}]", key != entry
                    ? $"duplicate entries in exportTo: . and current namespace {configNamespace}"
                    : $"duplicate entries in exportTo for entry {entry}");
            }
            else if (isServiceEntry && entry == "~")
            {
                seen.Add(key);
            }
            else if (ValidateVisibility(key) is { } error)
            {
                context.Error($"{path}[{i}]", error);
            }
            else
            {
                seen.Add(key);
            }
        }

        if (isDestinationRuleWithSelector && seen.Count > 0)
        {
            if (seen.Contains(configNamespace))
            {
                if (seen.Count > 1)
                {
                    context.Error(path, "destination rule with workload selector cannot have multiple entries in exportTo");
                }
            }
            else
            {
                context.Error(path, "destination rule with workload selector cannot have exportTo beyond current namespace");
            }
        }

        if (seen.Contains("*") && exportTo.Count > 1)
        {
            context.Error(path, "cannot have both public (*) and non-public exportTo values for a resource");
        }

        if (seen.Contains("~") && exportTo.Count > 1)
        {
            context.Error(path, "cannot export service entry to no one (~) and someone");
        }
    }

    /// <summary>Istio's <c>visibility.Instance.Validate</c>.</summary>
    public static string? ValidateVisibility(string value) => value switch
    {
        "." or "*" => null,
        "~" => "exportTo ~ (none) is not allowed for Istio configuration objects",
        _ => DnsNames.IsDns1123Label(value) ? null : "only .,*, or a valid DNS 1123 label is allowed as exportTo entry",
    };
}
