namespace Weft.Proxy.Snapshot.Clusters;

/// <summary>The HTTP version a cluster speaks upstream (plaintext, so HTTP/2 is h2c with prior knowledge).</summary>
internal enum UpstreamProtocol
{
    Http1,
    Http2,

    /// <summary>The version the downstream request came in with (<c>use_downstream_protocol_config</c>).</summary>
    Downstream,
}
