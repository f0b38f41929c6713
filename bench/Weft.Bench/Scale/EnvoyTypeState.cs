namespace Weft.Bench.Scale;

/// <summary>What a simulated Envoy keeps per resource type: the last response it accepted and what it subscribes to.</summary>
internal sealed class EnvoyTypeState(string typeUrl)
{
    public string TypeUrl { get; } = typeUrl;

    public bool Requested { get; set; }

    /// <summary>The version and nonce of the last response, sent back in every request of the type.</summary>
    public string Version { get; set; } = string.Empty;

    public string Nonce { get; set; } = string.Empty;

    /// <summary>Names subscribed to (empty for a wildcard subscription).</summary>
    public HashSet<string> Names { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Names of the resources held (for a wildcard type, the last response's set).</summary>
    public HashSet<string> Held { get; } = new(StringComparer.Ordinal);

    public int Acks { get; set; }

    /// <summary>Whether every subscribed name has been received.</summary>
    public bool Complete => Acks > 0 && Names.IsSubsetOf(Held);
}
