using Weft.Proxy.Upstream;

namespace Weft.Proxy.LoadBalancing;

/// <summary>
/// A consistent-hash lookup (ring hash or Maglev) over a fixed set of weighted endpoints. <c>attempt</c> &gt; 0 asks
/// for an alternative to the host an earlier attempt got (Envoy's host re-selection for retries).
/// </summary>
internal abstract class HashTable
{
    public abstract int Size { get; }

    public abstract UpstreamEndpoint? Pick(ulong hash, int attempt);

    /// <summary>What places a host in the table: its host name when asked to and it has one, else its <c>HOST:PORT</c>.</summary>
    protected static string Key(UpstreamEndpoint endpoint, bool byHostname) =>
        byHostname && endpoint.Host.Hostname.Length > 0 ? endpoint.Host.Hostname : endpoint.Authority;
}
