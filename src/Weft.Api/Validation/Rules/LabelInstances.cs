using System.Text.RegularExpressions;

namespace Weft.Api.Validation.Rules;

/// <summary>
/// Istio's check of a label map (<c>labels.Instance.Validate</c>), used for subset labels and sourceLabels:
/// Kubernetes-style keys (optional DNS prefix and '/', a qualified name of at most 63 characters) and values.
/// </summary>
internal static partial class LabelInstances
{
    private const int MaxPrefixLength = 253;

    [GeneratedRegex(@"^(?<prefix>[a-zA-Z0-9](?:[-a-zA-Z0-9]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[-a-zA-Z0-9]*[a-zA-Z0-9])?)*/)?(?<name>(?:[A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])\z")]
    private static partial Regex TagKey();

    [GeneratedRegex(@"^(?:(?:[A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?\z")]
    private static partial Regex TagValue();

    /// <summary>Null when the key is a valid label key, else Istio's message.</summary>
    public static string? ValidateKey(string key)
    {
        var match = TagKey().Match(key);
        if (!match.Success)
        {
            return $"invalid tag key: {GoText.Quote(key)}";
        }

        var prefix = match.Groups["prefix"];
        if (prefix.Success && prefix.Length - 1 > MaxPrefixLength)
        {
            return $"invalid tag key: {GoText.Quote(key)} (DNS prefix is too long)";
        }

        return match.Groups["name"].Length > DnsNames.MaxLabelLength ? $"invalid tag key: {GoText.Quote(key)} (name is too long)" : null;
    }

    /// <summary>Null when the value is a valid label value, else Istio's message.</summary>
    public static string? ValidateValue(string value) => TagValue().IsMatch(value) ? null : $"invalid tag value: {GoText.Quote(value)}";

    /// <summary>Reports every bad key and value of <paramref name="labels"/> at <c>path[key]</c>.</summary>
    public static void Validate(ValidationContext context, string path, IReadOnlyDictionary<string, string>? labels)
    {
        if (labels is null)
        {
            return;
        }

        foreach (var (key, value) in labels)
        {
            if (ValidateKey(key) is { } keyError)
            {
                context.Error($"{path}[{key}]", keyError);
            }

            if (ValidateValue(value) is { } valueError)
            {
                context.Error($"{path}[{key}]", valueError);
            }
        }
    }
}
