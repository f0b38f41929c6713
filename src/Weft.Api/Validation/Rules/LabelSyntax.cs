using System.Text.RegularExpressions;
using Weft.Api.GoCompat;

namespace Weft.Api.Validation.Rules;

/// <summary>
/// Label keys and values as Istio's <c>labels.Instance.Validate</c> checks them: a key is an optional DNS-subdomain
/// prefix (at most 253 characters) and '/', then a name of at most 63 characters; a value is empty or a
/// Kubernetes qualified name. Unlike Kubernetes, Istio does not limit the length of a value.
/// </summary>
internal static partial class LabelSyntax
{
    private const int MaxPrefixLength = 253;
    private const int MaxNameLength = 63;

    [GeneratedRegex(@"^(?<prefix>[a-zA-Z0-9](?:[-a-zA-Z0-9]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[-a-zA-Z0-9]*[a-zA-Z0-9])?)*/)?(?<name>(?:[A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])\z")]
    private static partial Regex Key();

    [GeneratedRegex(@"^(?:(?:[A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?\z")]
    private static partial Regex Value();

    /// <summary>Null when <paramref name="key"/> is a valid label key, else Istio's message.</summary>
    public static string? ValidateKey(string key)
    {
        var match = Key().Match(key);
        if (!match.Success)
        {
            return $"invalid tag key: {GoStrconv.Quote(key)}";
        }

        var prefix = match.Groups["prefix"];
        if (prefix.Success && prefix.Length - 1 > MaxPrefixLength)
        {
            return $"invalid tag key: {GoStrconv.Quote(key)} (DNS prefix is too long)";
        }

        return match.Groups["name"].Length > MaxNameLength ? $"invalid tag key: {GoStrconv.Quote(key)} (name is too long)" : null;
    }

    /// <summary>Null when <paramref name="value"/> is a valid label value, else Istio's message.</summary>
    public static string? ValidateValue(string value) => Value().IsMatch(value) ? null : $"invalid tag value: {GoStrconv.Quote(value)}";

    /// <summary>Reports every bad key and value of <paramref name="labels"/> as an error at <c>path[key]</c>.</summary>
    public static void Validate(ValidationContext context, IReadOnlyDictionary<string, string>? labels, string path, string messagePrefix = "")
    {
        if (labels is null)
        {
            return;
        }

        foreach (var (key, value) in labels)
        {
            var at = path + "[" + key + "]";
            if (ValidateKey(key) is { } keyError)
            {
                context.Error(at, messagePrefix + keyError);
            }

            if (ValidateValue(value) is { } valueError)
            {
                context.Error(at, messagePrefix + valueError);
            }
        }
    }
}
