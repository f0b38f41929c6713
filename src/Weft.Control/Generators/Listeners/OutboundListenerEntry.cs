using Weft.Control.Registry;

namespace Weft.Control.Generators.Listeners;

/// <summary>
/// An outbound listener being assembled from the services that share its bind address and port (Istio's
/// outboundListenerEntry). <see cref="Protocol"/> becomes <see cref="Registry.Protocol.Unsupported"/> when HTTP and TCP
/// chains mix; <see cref="Locked"/> keeps the catch-all egress listener off ports an explicit egress listener claimed.
/// </summary>
internal sealed class OutboundListenerEntry(string bind, bool bindToPort, ServicePort port, Protocol protocol, IReadOnlyList<ChainOptions> chains)
{
    public string Bind { get; } = bind;

    public bool BindToPort { get; } = bindToPort;

    public ServicePort Port { get; } = port;

    public Protocol Protocol { get; set; } = protocol;

    public List<ChainOptions> Chains { get; } = [.. chains];

    public bool Locked { get; set; }

    /// <summary>Adds the chains that do not match the same connections as a chain already there (Envoy rejects duplicates).</summary>
    public void MergeChains(IEnumerable<ChainOptions> incoming)
    {
        foreach (var chain in incoming)
        {
            if (!Chains.Any(existing => existing.ConflictsWith(chain)))
            {
                Chains.Add(chain);
            }
        }
    }
}
