using Weft.Api.GoCompat;

namespace Weft.Api.Validation.Rules;

/// <summary>
/// Istio's checks of a workload selector's labels (<c>validateWorkloadSelector</c> for <c>matchLabels</c>,
/// <c>ValidateAlphaWorkloadSelector</c> for <c>labels</c>): no empty keys, no '*' in keys or values, and a warning
/// when the selector has no labels at all. Shared by DestinationRule, AuthorizationPolicy and the other selector kinds.
/// </summary>
internal static class WorkloadSelectors
{
    public const string NoLabelsWarning = "workload selector specified without labels";

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
        if (labels is not null)
        {
            foreach (var (key, value) in labels)
            {
                if (ValidateEntry(key, value) is { } errors)
                {
                    foreach (var error in errors)
                    {
                        context.Error($"{labelsPath}[{key}]", error);
                    }
                }
            }
        }

        if ((labels is null || labels.Count == 0) && noLabelsWarning is not null)
        {
            context.Warning(selectorPath, noLabelsWarning);
        }
    }

    /// <summary>The errors of one selector entry, or null when it is fine.</summary>
    public static List<string>? ValidateEntry(string key, string value)
    {
        List<string>? errors = null;
        var pair = GoStrconv.Quote(key + "=" + value);
        if (key.Length == 0)
        {
            (errors ??= []).Add($"empty key is not supported in selector: {pair}");
        }

        if (key.Contains('*', StringComparison.Ordinal) || value.Contains('*', StringComparison.Ordinal))
        {
            (errors ??= []).Add($"wildcard is not supported in selector: {pair}");
        }

        return errors;
    }
}
