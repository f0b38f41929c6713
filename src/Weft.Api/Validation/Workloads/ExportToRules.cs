using Weft.Api.Validation.Rules;

namespace Weft.Api.Validation.Workloads;

/// <summary>Istio's <c>validateExportTo</c>: '.', '*', '~' (ServiceEntry only) or namespace names, without duplicates or mixtures.</summary>
internal static class ExportToRules
{
    public static void Validate(ValidationContext context, IReadOnlyList<string>? exportTo, string path, bool isServiceEntry, bool isDestinationRuleWithSelector = false)
    {
        if (exportTo is not { Count: > 0 })
        {
            return;
        }

        var ns = IstioMetadataRules.ConfigNamespace(context);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < exportTo.Count; i++)
        {
            var entry = exportTo[i];
            var key = entry == "." ? ns : entry;
            if (seen.Contains(key))
            {
                context.Error(
                    $"{path}[{i}]",
                    key != entry ? $"duplicate entries in exportTo: . and current namespace {ns}" : $"duplicate entries in exportTo for entry {entry}");
                continue;
            }

            if (isServiceEntry && entry == "~")
            {
                seen.Add(key);
                continue;
            }

            if (VisibilityError(key) is { } error)
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
            if (!seen.Contains(ns))
            {
                context.Error(path, "destination rule with workload selector cannot have exportTo beyond current namespace");
            }
            else if (seen.Count > 1)
            {
                context.Error(path, "destination rule with workload selector cannot have multiple entries in exportTo");
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

    private static string? VisibilityError(string value) => value switch
    {
        "." or "*" => null,
        "~" => "exportTo ~ (none) is not allowed for Istio configuration objects",
        _ => DnsNames.IsDns1123Label(value) ? null : "only .,*, or a valid DNS 1123 label is allowed as exportTo entry",
    };
}
