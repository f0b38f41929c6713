using Weft.Api.GoCompat;
using Weft.Api.Model.Common;

namespace Weft.Api.Validation.Rules;

/// <summary>
/// Istio's checks of a workload selector's labels: no empty keys and no '*' in keys or values, for the typed
/// <c>selector.matchLabels</c> (<c>validateWorkloadSelector</c>: DestinationRule, ProxyConfig, the security,
/// telemetry and extensions kinds) and the networking <c>workloadSelector.labels</c>
/// (<c>ValidateAlphaWorkloadSelector</c>: ServiceEntry, Sidecar, EnvoyFilter).
/// </summary>
internal static class WorkloadSelectors
{
    public const string NoLabelsWarning = "workload selector specified without labels";

    /// <summary><c>validateWorkloadSelector</c>: errors at <c>path.matchLabels[key]</c>, a warning at <paramref name="path"/> when no labels.</summary>
    public static void Validate(ValidationContext context, string path, WorkloadSelector? selector)
    {
        if (selector is not null)
        {
            Validate(context, path, path + ".matchLabels", selector.MatchLabels);
        }
    }

    /// <summary>
    /// Checks a present selector (call only when the selector itself is set). Errors go to
    /// <c>labelsPath[key]</c>; the no-labels warning goes to <paramref name="selectorPath"/> with
    /// <paramref name="noLabelsWarning"/> (null to skip it, for callers that word it themselves).
    /// </summary>
    public static void Validate(
        ValidationContext context,
        string selectorPath,
        string labelsPath,
        IReadOnlyDictionary<string, string>? labels,
        string? noLabelsWarning = NoLabelsWarning)
    {
        ValidateLabels(context, labelsPath, labels);
        if ((labels is null || labels.Count == 0) && noLabelsWarning is not null)
        {
            context.Warning(selectorPath, noLabelsWarning);
        }
    }

    /// <summary>
    /// <c>ValidateAlphaWorkloadSelector</c>: errors at <c>path.labels[key]</c>. Returns true when there were errors
    /// (Istio then checks nothing else); <paramref name="withoutLabels"/> when the selector is present but selects no
    /// labels, which each kind warns about in its own words.
    /// </summary>
    public static bool RejectAlpha(ValidationContext context, string path, Model.Networking.WorkloadSelector? selector, out bool withoutLabels)
    {
        withoutLabels = selector is not null && selector.Labels is not { Count: > 0 };
        return selector is not null && ValidateLabels(context, path + ".labels", selector.Labels);
    }

    /// <summary>Reports the selector errors of each label at <c>labelsPath[key]</c>; true when there was one.</summary>
    private static bool ValidateLabels(ValidationContext context, string labelsPath, IReadOnlyDictionary<string, string>? labels)
    {
        if (labels is null)
        {
            return false;
        }

        var rejected = false;
        foreach (var (key, value) in labels)
        {
            var pair = GoStrconv.Quote(key + "=" + value);
            if (key.Length == 0)
            {
                context.Error($"{labelsPath}[{key}]", $"empty key is not supported in selector: {pair}");
                rejected = true;
            }

            if (key.Contains('*', StringComparison.Ordinal) || value.Contains('*', StringComparison.Ordinal))
            {
                context.Error($"{labelsPath}[{key}]", $"wildcard is not supported in selector: {pair}");
                rejected = true;
            }
        }

        return rejected;
    }
}
