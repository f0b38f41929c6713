using Weft.Api.GoCompat;
using Weft.Api.Model.Networking;

namespace Weft.Api.Validation.Workloads;

/// <summary>Workload selectors: the networking <c>workloadSelector.labels</c> and the type <c>selector.matchLabels</c>.</summary>
internal static class SelectorRules
{
    public const string NoLabels = "workload selector specified without labels";

    /// <summary>
    /// Istio's <c>ValidateAlphaWorkloadSelector</c> (ServiceEntry, Sidecar, EnvoyFilter): errors for empty keys and
    /// wildcards. Returns true when there were errors (Istio then reports nothing else); sets
    /// <paramref name="withoutLabels"/> when the selector is present but selects no labels.
    /// </summary>
    public static bool RejectAlpha(ValidationContext context, WorkloadSelector? selector, string path, out bool withoutLabels)
    {
        withoutLabels = false;
        if (selector is null)
        {
            return false;
        }

        var rejected = CheckLabels(context, selector.Labels, path + ".labels");
        withoutLabels = selector.Labels is not { Count: > 0 };
        return rejected;
    }

    /// <summary>Istio's <c>validateWorkloadSelector</c> (ProxyConfig and the security kinds): errors plus a warning when no labels.</summary>
    public static void ValidateTyped(ValidationContext context, Model.Common.WorkloadSelector? selector, string path)
    {
        if (selector is null)
        {
            return;
        }

        CheckLabels(context, selector.MatchLabels, path + ".matchLabels");
        if (selector.MatchLabels is not { Count: > 0 })
        {
            context.Warning(path, NoLabels);
        }
    }

    private static bool CheckLabels(ValidationContext context, IReadOnlyDictionary<string, string>? labels, string path)
    {
        if (labels is null)
        {
            return false;
        }

        var rejected = false;
        foreach (var (key, value) in labels)
        {
            if (key.Length == 0)
            {
                context.Error(path + "[]", "empty key is not supported in selector: " + GoStrconv.Quote("=" + value));
                rejected = true;
            }

            if (key.Contains('*', StringComparison.Ordinal) || value.Contains('*', StringComparison.Ordinal))
            {
                context.Error(path + "[" + key + "]", "wildcard is not supported in selector: " + GoStrconv.Quote(key + "=" + value));
                rejected = true;
            }
        }

        return rejected;
    }
}
