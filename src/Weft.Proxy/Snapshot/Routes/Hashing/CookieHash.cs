using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http;
using Weft.Proxy.LoadBalancing;
using Weft.Proxy.Snapshot.Matching;

namespace Weft.Proxy.Snapshot.Routes.Hashing;

/// <summary>
/// A cookie's value. Without the cookie and with a <c>ttl</c>, Envoy makes one up: the xxHash64 of the downstream
/// connection's remote and local addresses as 16 hex digits (the same for every request of a connection), hashes that,
/// and sends it back with <c>set-cookie: NAME="VALUE"; Max-Age=TTL; Path=PATH; ATTRIBUTES; HttpOnly</c> (no Max-Age for a
/// zero ttl: a session cookie), so the client's next requests carry it.
/// </summary>
internal sealed class CookieHash(string name, TimeSpan? ttl, string path, IReadOnlyList<(string Name, string Value)> attributes, bool terminal) : HashMethod(terminal)
{
    public override ulong? Evaluate(HttpContext context, RouteRequest request)
    {
        if (Find(request.Headers["cookie"]) is { Length: > 0 } value)
        {
            return XxHash64.Hash(value.AsSpan());
        }

        if (ttl is null)
        {
            return null;
        }

        var connection = context.Connection;
        var addresses = HostPort.Join(connection.RemoteIpAddress?.ToString() ?? string.Empty, connection.RemotePort)
            + HostPort.Join(connection.LocalIpAddress?.ToString() ?? string.Empty, connection.LocalPort);
        var generated = XxHash64.Hash(addresses.AsSpan()).ToString("x16", CultureInfo.InvariantCulture);
        var header = SetCookie(generated);
        context.Response.OnStarting(static state =>
        {
            var (response, cookie) = ((HttpResponse, string))state;
            response.Headers.Append("set-cookie", cookie);
            return Task.CompletedTask;
        }, (context.Response, header));
        return XxHash64.Hash(generated.AsSpan());
    }

    private string SetCookie(string value)
    {
        var text = new StringBuilder().Append(name).Append("=\"").Append(value).Append('"');
        var seconds = (long)ttl!.Value.TotalSeconds;
        if (seconds != 0)
        {
            text.Append("; Max-Age=").Append(seconds.ToString(CultureInfo.InvariantCulture));
        }

        if (path.Length > 0)
        {
            text.Append("; Path=").Append(path);
        }

        foreach (var (attribute, attributeValue) in attributes)
        {
            text.Append("; ").Append(attribute);
            if (attributeValue.Length > 0)
            {
                text.Append('=').Append(attributeValue);
            }
        }

        return text.Append("; HttpOnly").ToString();
    }

    /// <summary>The first cookie of that name in the Cookie headers, without the quotes a value may have; null when absent.</summary>
    private string? Find(Microsoft.Extensions.Primitives.StringValues headers)
    {
        foreach (var header in headers)
        {
            foreach (var part in (header ?? string.Empty).Split(';'))
            {
                var equals = part.IndexOf('=', StringComparison.Ordinal);
                if (equals < 0 || !part.AsSpan(0, equals).TrimStart(' ').SequenceEqual(name))
                {
                    continue;
                }

                var value = part[(equals + 1)..];
                return value.Length >= 2 && value[0] == '"' && value[^1] == '"' ? value[1..^1] : value;
            }
        }

        return null;
    }
}
