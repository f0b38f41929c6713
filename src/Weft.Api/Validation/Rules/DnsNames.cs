using System.Text.RegularExpressions;

namespace Weft.Api.Validation.Rules;

/// <summary>Istio's checks for host names, domains and labels; each returns null when valid, else the message.</summary>
internal static partial class DnsNames
{
    public const int MaxDomainLength = 255;
    public const int MaxLabelLength = 63;

    [GeneratedRegex(@"^[a-zA-Z0-9](?:[-a-zA-Z0-9]*[a-zA-Z0-9])?\z")]
    private static partial Regex Dns1123Label();

    [GeneratedRegex(@"^(?:\*|(?:\*|\*-)?[a-zA-Z0-9](?:[-a-zA-Z0-9]*[a-zA-Z0-9])?)\z")]
    private static partial Regex WildcardLabel();

    public static bool IsDns1123Label(string label) => label.Length <= MaxLabelLength && Dns1123Label().IsMatch(label);

    public static bool IsWildcardDns1123Label(string label) => label.Length <= MaxLabelLength && WildcardLabel().IsMatch(label);

    public static string? CheckPreconditions(string name)
    {
        // Go measures the name in UTF-8 bytes.
        if (GoText.ByteLength(name) > MaxDomainLength)
        {
            return $"domain name {GoText.Quote(name)} too long (max {MaxDomainLength})";
        }

        return name.Length == 0 ? "empty domain name not allowed" : null;
    }

    /// <summary>Every label a DNS-1123 label; a trailing dot allowed; the top-level label not all digits.</summary>
    public static string? ValidateLabels(string domain)
    {
        var parts = domain.Split('.');
        var top = parts[^1];
        // Go's strconv.Atoi: an optional sign and digits that fit in 64 bits.
        if (GoText.TryAtoi(top, out _))
        {
            return $"domain name {GoText.Quote(domain)} invalid (top level domain {GoText.Quote(top)} cannot be all-numeric)";
        }

        for (var i = 0; i < parts.Length; i++)
        {
            if (i == parts.Length - 1 && parts[i].Length == 0)
            {
                return null;
            }

            if (!IsDns1123Label(parts[i]))
            {
                return $"domain name {GoText.Quote(domain)} invalid (label {GoText.Quote(parts[i])} invalid)";
            }
        }

        return null;
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
            return $"domain name {GoText.Quote(domain)} invalid (label {GoText.Quote(first)} invalid)";
        }

        return dot < 0 ? null : ValidateLabels(domain[(dot + 1)..]);
    }
}
