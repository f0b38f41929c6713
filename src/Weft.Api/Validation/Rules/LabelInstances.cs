using Weft.Api.GoCompat;

namespace Weft.Api.Validation.Rules;

/// <summary>
/// Istio's check of a label map (<c>labels.Instance.Validate</c>), used for subset labels, sourceLabels and workload
/// labels: a key is an optional DNS-subdomain prefix (at most 253 characters) and '/', then a qualified name of at
/// most 63 characters; a value is empty or a qualified name. Unlike Kubernetes, Istio does not limit a value's length.
/// </summary>
internal static class LabelInstances
{
    private const int MaxPrefixLength = 253;

    /// <summary>Null when the key is a valid label key, else Istio's message.</summary>
    public static string? ValidateKey(string key)
    {
        var span = key.AsSpan();
        var slash = span.IndexOf('/');
        var name = slash < 0 ? span : span[(slash + 1)..];
        if (slash >= 0 && !IsDnsPrefix(span[..slash]))
        {
            return $"invalid tag key: {GoStrconv.Quote(key)}";
        }

        if (!IsQualifiedName(name))
        {
            return $"invalid tag key: {GoStrconv.Quote(key)}";
        }

        if (slash > MaxPrefixLength)
        {
            return $"invalid tag key: {GoStrconv.Quote(key)} (DNS prefix is too long)";
        }

        return name.Length > DnsNames.MaxLabelLength ? $"invalid tag key: {GoStrconv.Quote(key)} (name is too long)" : null;
    }

    /// <summary>Null when the value is a valid label value, else Istio's message.</summary>
    public static string? ValidateValue(string value) =>
        value.Length == 0 || IsQualifiedName(value) ? null : $"invalid tag value: {GoStrconv.Quote(value)}";

    // label(\.label)*, each label as DnsNames.IsLabel reads it.
    private static bool IsDnsPrefix(ReadOnlySpan<char> prefix)
    {
        if (prefix.IsEmpty)
        {
            return false;
        }

        foreach (var range in prefix.Split('.'))
        {
            if (!DnsNames.IsLabel(prefix[range]))
            {
                return false;
            }
        }

        return true;
    }

    // (?:[A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]
    private static bool IsQualifiedName(ReadOnlySpan<char> name)
    {
        if (name.IsEmpty || !char.IsAsciiLetterOrDigit(name[0]) || !char.IsAsciiLetterOrDigit(name[^1]))
        {
            return false;
        }

        foreach (var c in name)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not '-' and not '_' and not '.')
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Reports every bad key and value of <paramref name="labels"/> at <c>path[key]</c>, each message after
    /// <paramref name="messagePrefix"/> (WorkloadGroup's metadata labels say "invalid labels: ").
    /// </summary>
    public static void Validate(ValidationContext context, string path, IReadOnlyDictionary<string, string>? labels, string messagePrefix = "")
    {
        if (labels is null)
        {
            return;
        }

        foreach (var (key, value) in labels)
        {
            if (ValidateKey(key) is { } keyError)
            {
                context.Error($"{path}[{key}]", messagePrefix + keyError);
            }

            if (ValidateValue(value) is { } valueError)
            {
                context.Error($"{path}[{key}]", messagePrefix + valueError);
            }
        }
    }
}
