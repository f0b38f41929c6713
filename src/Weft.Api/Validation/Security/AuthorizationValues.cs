using System.Text.RegularExpressions;
using Weft.Api.GoCompat;
using Weft.Api.Validation.Rules;

namespace Weft.Api.Validation.Security;

/// <summary>
/// Istio's checks of AuthorizationPolicy values (its <c>pkg/config/security</c>): IPs and CIDRs, ports, empty
/// values, service accounts, trust domains, path templates, and the attributes a <c>when</c> condition may use.
/// Each returns null when the values are fine, else Istio's message.
/// </summary>
internal static partial class AuthorizationValues
{
    private const string MatchOneTemplate = "{*}";
    private const string MatchAnyTemplate = "{**}";

    /// <summary>RFC 3986 pchar literal, as Envoy's URI template matcher requires for the literal segments of a template.</summary>
    [GeneratedRegex("^[a-zA-Z0-9-._~%!$&'()+,;:@=]+$")]
    private static partial Regex ValidLiteral();

    /// <summary>Each IP or CIDR in turn; one message per bad entry.</summary>
    public static void ValidateIps(ValidationContext context, string path, string field, IReadOnlyList<string>? ips)
    {
        if (ips is null)
        {
            return;
        }

        for (var i = 0; i < ips.Count; i++)
        {
            if (ValidateIp(ips[i]) is { } error)
            {
                context.Error($"{path}{field}[{i}]", error);
            }
        }
    }

    public static string? ValidateIp(string value)
    {
        if (value.Contains('/', StringComparison.Ordinal))
        {
            return GoNetip.ParsePrefix(value) is { } prefixError ? $"bad CIDR range ({value}): {prefixError}" : null;
        }

        return GoNetip.ParseAddr(value) is null ? null : $"bad IP address ({value})";
    }

    /// <summary>Ports as Istio reads them: a decimal number up to 65535 (0 is accepted).</summary>
    public static void ValidatePorts(ValidationContext context, string path, string field, IReadOnlyList<string>? ports)
    {
        if (ports is null)
        {
            return;
        }

        for (var i = 0; i < ports.Count; i++)
        {
            if (ValidatePort(ports[i]) is { } error)
            {
                context.Error($"{path}{field}[{i}]", error);
            }
        }
    }

    public static string? ValidatePort(string port)
    {
        var error = GoStrconv.ParseUint(port, 32, out var value);
        if (error is null && value <= 65535)
        {
            return null;
        }

        return $"bad port ({port}): {error ?? "<nil>"}";
    }

    public static string? CheckEmptyValues(string key, IReadOnlyList<string>? values)
    {
        if (values is null)
        {
            return null;
        }

        foreach (var value in values)
        {
            if (value.Length == 0)
            {
                return $"empty value not allowed, found in {key}";
            }
        }

        return null;
    }

    /// <summary>Values that are exact, a prefix (<c>foo*</c>), a suffix (<c>*foo</c>) or presence (<c>*</c>).</summary>
    public static string? CheckWildcardValues(string key, IReadOnlyList<string>? values)
    {
        if (CheckEmptyValues(key, values) is { } error)
        {
            return error;
        }

        if (values is null)
        {
            return null;
        }

        foreach (var value in values)
        {
            var count = 0;
            foreach (var c in value)
            {
                if (c == '*')
                {
                    count++;
                }
            }

            if (count > 1)
            {
                return $"at most one wildcard is allowed, found in {key}: {GoStrconv.Quote(value)}";
            }

            if (count == 1 && value != "*" && !value.StartsWith('*') && !value.EndsWith('*'))
            {
                return $"wildcard is only allowed at the start or end, found in {key}: {GoStrconv.Quote(value)}";
            }
        }

        return null;
    }

    public static string? CheckTrustDomainValues(string key, IReadOnlyList<string>? values)
    {
        if (CheckWildcardValues(key, values) is { } error)
        {
            return error;
        }

        if (values is null)
        {
            return null;
        }

        foreach (var value in values)
        {
            if (value.Contains('/', StringComparison.Ordinal))
            {
                return $"trust domain must not contain '/', found in {key}: {GoStrconv.Quote(value)}";
            }
        }

        return null;
    }

    /// <summary>Service accounts: <c>sa</c> or <c>ns/sa</c>, no wildcard, at most 320 characters, at most 16 values.</summary>
    public static string? CheckServiceAccount(string key, IReadOnlyList<string>? values)
    {
        if (values is null)
        {
            return null;
        }

        if (values.Count > 16)
        {
            return "may not have more than 16 values";
        }

        foreach (var value in values)
        {
            if (value.Length == 0)
            {
                return $"empty value not allowed, found in {key}";
            }

            if (value.Contains('*', StringComparison.Ordinal))
            {
                return $"wildcard not allowed, found in {key}";
            }

            var slashes = 0;
            foreach (var c in value)
            {
                if (c == '/')
                {
                    slashes++;
                }
            }

            if (slashes > 1)
            {
                return $"expected format 'serviceAccount' or 'namespace/serviceAccount', found {GoStrconv.Quote(value)} in {key}";
            }

            if (System.Text.Encoding.UTF8.GetByteCount(value) > 320)
            {
                return $"value cannot exceed 320 characters, found {GoStrconv.Quote(value)} in {key}";
            }

            var slash = value.IndexOf('/', StringComparison.Ordinal);
            if (slash == 0)
            {
                return $"expected format 'serviceAccount' or 'namespace/serviceAccount', found empty namespace {GoStrconv.Quote(value)} in {key}";
            }

            if (slash == value.Length - 1)
            {
                return $"expected format 'serviceAccount' or 'namespace/serviceAccount', found empty serviceAccount {GoStrconv.Quote(value)} in {key}";
            }
        }

        return null;
    }

    /// <summary>
    /// Path templates: <c>{*}</c> matches one segment, <c>{**}</c> the rest and must come last; other braces are not
    /// allowed, and once a path uses a template its literal segments must be RFC 3986 pchars.
    /// </summary>
    public static string? CheckValidPathTemplate(string key, IReadOnlyList<string>? paths)
    {
        if (paths is null)
        {
            return null;
        }

        foreach (var original in paths)
        {
            var containsTemplate = original.Contains(MatchOneTemplate, StringComparison.Ordinal) || original.Contains(MatchAnyTemplate, StringComparison.Ordinal);
            var path = original.Trim('/');
            var foundMatchAny = false;
            foreach (var glob in path.Split('/'))
            {
                if (glob == MatchOneTemplate && !foundMatchAny)
                {
                    continue;
                }

                if (glob == MatchAnyTemplate && !foundMatchAny)
                {
                    foundMatchAny = true;
                    continue;
                }

                if (glob is MatchAnyTemplate or MatchOneTemplate)
                {
                    return $"invalid or unsupported path {path}, found in {key}. {{**}} is not the last operator";
                }

                if (glob.AsSpan().IndexOfAny('{', '}') >= 0)
                {
                    return $"invalid or unsupported path {path}, found in {key}. Contains '{{' or '}}' beyond a supported path template";
                }

                if (containsTemplate && !ValidLiteral().IsMatch(glob))
                {
                    return $"invalid or unsupported path {path}, found in {key}. Contains segment {glob} with invalid string literal";
                }
            }
        }

        return null;
    }

    /// <summary>
    /// A <c>when</c> condition's key and its values: known attributes only, bracketed keys in <c>a[b]</c> form,
    /// IPs for the IP attributes, ports for <c>destination.port</c>, service accounts and trust domains checked.
    /// </summary>
    public static string? ValidateAttribute(string key, IReadOnlyList<string>? values)
    {
        if (CheckEmptyValues(key, values) is { } empty)
        {
            return empty;
        }

        if (key.StartsWith("request.headers", StringComparison.Ordinal))
        {
            return ValidateMapKey(key);
        }

        switch (key)
        {
            case "source.ip" or "remote.ip" or "destination.ip":
                return ValidateIps(values);
            case "source.namespace" or "source.principal" or "request.auth.principal" or "request.auth.audiences"
                or "request.auth.presenter" or "connection.sni":
                return null;
            case "source.serviceAccount":
                return CheckServiceAccount(key, values);
            case "source.trustDomain":
                return CheckWildcardValues(key, values);
            case "destination.port":
                return ValidatePorts(values);
            case "destination.namespace":
                return $"attribute {key} is replaced by the metadata.namespace";
            case "destination.name" or "destination.user":
                return $"deprecated attribute {key}: only supported in v1alpha1";
        }

        if (key.StartsWith("request.auth.claims", StringComparison.Ordinal) || key.StartsWith("experimental.envoy.filters.", StringComparison.Ordinal))
        {
            return ValidateMapKey(key);
        }

        if (key.StartsWith("destination.labels", StringComparison.Ordinal))
        {
            return $"attribute {key} is replaced by the workload selector";
        }

        return $"unknown attribute: {key}";
    }

    private static string? ValidateIps(IReadOnlyList<string>? values)
    {
        if (values is null)
        {
            return null;
        }

        List<string>? errors = null;
        foreach (var value in values)
        {
            if (ValidateIp(value) is { } error)
            {
                (errors ??= []).Add(error);
            }
        }

        return Join(errors);
    }

    private static string? ValidatePorts(IReadOnlyList<string>? values)
    {
        if (values is null)
        {
            return null;
        }

        List<string>? errors = null;
        foreach (var value in values)
        {
            if (ValidatePort(value) is { } error)
            {
                (errors ??= []).Add(error);
            }
        }

        return Join(errors);
    }

    /// <summary>Several errors in one message (Go prints them as a multierror list).</summary>
    private static string? Join(List<string>? errors) => errors is null ? null : string.Join("; ", errors);

    private static string? ValidateMapKey(string key)
    {
        var open = key.IndexOf('[', StringComparison.Ordinal);
        if (key.EndsWith(']') && open > 0 && open < key.Length - 2)
        {
            return null;
        }

        return $"bad key ({key}): should have format a[b]";
    }
}
