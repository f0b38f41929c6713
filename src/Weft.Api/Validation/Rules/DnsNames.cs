using Weft.Api.GoCompat;

namespace Weft.Api.Validation.Rules;

/// <summary>Istio's checks for host names, domains and labels; each returns null when valid, else the message.</summary>
/// <remarks>
/// Istio's label pattern is <c>[a-zA-Z0-9](?:[-a-zA-Z0-9]*[a-zA-Z0-9])?</c> (upper case allowed), a wildcard label may
/// be '*' or a label led by '*' or '*-'. These run on every host of every resource, so they are plain loops.
/// </remarks>
internal static partial class DnsNames
{
    public const int MaxDomainLength = 255;
    public const int MaxLabelLength = 63;

    public static bool IsDns1123Label(string label) => label.Length <= MaxLabelLength && IsLabel(label);

    public static bool IsWildcardDns1123Label(string label)
    {
        if (label.Length > MaxLabelLength)
        {
            return false;
        }

        if (label == "*")
        {
            return true;
        }

        var span = label.AsSpan();
        if (span.StartsWith("*-"))
        {
            return IsLabel(span[2..]);
        }

        return IsLabel(span.StartsWith("*") ? span[1..] : span);
    }

    /// <summary>Istio's label pattern, <c>[a-zA-Z0-9](?:[-a-zA-Z0-9]*[a-zA-Z0-9])?</c>, with no length limit.</summary>
    public static bool IsLabel(ReadOnlySpan<char> label)
    {
        if (label.IsEmpty || !char.IsAsciiLetterOrDigit(label[0]) || !char.IsAsciiLetterOrDigit(label[^1]))
        {
            return false;
        }

        foreach (var c in label)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c != '-')
            {
                return false;
            }
        }

        return true;
    }

    public static string? CheckPreconditions(string name)
    {
        // Go measures the name in UTF-8 bytes.
        if (GoStrings.ByteLength(name) > MaxDomainLength)
        {
            return $"domain name {GoStrconv.Quote(name)} too long (max {MaxDomainLength})";
        }

        return name.Length == 0 ? "empty domain name not allowed" : null;
    }

    /// <summary>Every label a DNS-1123 label; a trailing dot allowed; the top-level label not all digits.</summary>
    public static string? ValidateLabels(string domain)
    {
        var span = domain.AsSpan();
        var lastDot = span.LastIndexOf('.');
        var top = lastDot < 0 ? span : span[(lastDot + 1)..];

        // Go's strconv.Atoi: an optional sign and digits that fit in 64 bits.
        if (GoStrconv.TryAtoi(top, out _))
        {
            return $"domain name {GoStrconv.Quote(domain)} invalid (top level domain {GoStrconv.Quote(top.ToString())} cannot be all-numeric)";
        }

        var start = 0;
        while (true)
        {
            var dot = span[start..].IndexOf('.');
            var label = dot < 0 ? span[start..] : span.Slice(start, dot);
            var isLast = dot < 0;
            if (isLast && label.IsEmpty)
            {
                return null;
            }

            if (label.Length > MaxLabelLength || !IsLabel(label))
            {
                return $"domain name {GoStrconv.Quote(domain)} invalid (label {GoStrconv.Quote(label.ToString())} invalid)";
            }

            if (isLast)
            {
                return null;
            }

            start += dot + 1;
        }
    }

    public static string? ValidateFqdn(string fqdn) => CheckPreconditions(fqdn) ?? ValidateLabels(fqdn);

    /// <summary>A domain whose first label may be a wildcard (<c>*</c>, <c>*.foo.com</c>, <c>*-foo.com</c>).</summary>
    public static string? ValidateWildcardDomain(string domain)
    {
        if (CheckPreconditions(domain) is { } error)
        {
            return error;
        }

        var dot = domain.IndexOf('.', StringComparison.Ordinal);
        var first = dot < 0 ? domain : domain[..dot];
        if (!IsWildcardDns1123Label(first))
        {
            return $"domain name {GoStrconv.Quote(domain)} invalid (label {GoStrconv.Quote(first)} invalid)";
        }

        return dot < 0 ? null : ValidateLabels(domain[(dot + 1)..]);
    }
}
