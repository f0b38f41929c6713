using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;

namespace Weft.Proxy.Snapshot.Clusters;

/// <summary>
/// Unix socket endpoints (an EDS address <c>pipe</c>, Istio's <c>unix://PATH</c>) under a host name of their own, so the
/// request path, the connection pools and the TCP proxy treat them like any <c>host:port</c>: the name is derived from
/// the path (<c>uds-HASH.invalid</c>, a name no resolver answers), and the connector opens the socket it stands for.
/// Paths starting with <c>@</c> are in Linux's abstract namespace, as in Envoy.
/// </summary>
internal static class PipeHosts
{
    /// <summary>The port the names carry: a URI authority needs one; nothing listens there.</summary>
    public const int Port = 80;

    private static readonly ConcurrentDictionary<string, string> Paths = new(StringComparer.Ordinal);

    /// <summary>The host name standing for <paramref name="path"/> (the same for the same path).</summary>
    public static string NameFor(string path)
    {
        var name = "uds-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(path)).AsSpan(0, 12)) + ".invalid";
        Paths.TryAdd(name, path);
        return name;
    }

    /// <summary>The socket path a name stands for; false for any other host.</summary>
    public static bool TryGetPath(string host, out string path)
    {
        path = string.Empty;
        return host.StartsWith("uds-", StringComparison.Ordinal) && Paths.TryGetValue(host, out path!);
    }

    /// <summary>The socket address of a path: <c>@name</c> in the abstract namespace, anything else a file.</summary>
    public static System.Net.Sockets.UnixDomainSocketEndPoint EndPoint(string path) =>
        new(path.StartsWith('@') ? "\0" + path[1..] : path);
}
