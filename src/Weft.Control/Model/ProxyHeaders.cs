using ForwardClientCertDetails = Weft.Xds.Envoy.Extensions.Filters.Network.HttpConnectionManager.V3.HttpConnectionManager.Types.ForwardClientCertDetails;

namespace Weft.Control.Model;

/// <summary>
/// Istio's <c>ProxyConfig.proxyHeaders</c>: which headers proxies add to requests and responses. It comes from the mesh's
/// <c>defaultConfig.proxyHeaders</c>, or from a proxy's own <c>PROXY_CONFIG</c> node metadata. <see cref="Default"/>,
/// every field unset, is Istio's behaviour without proxyHeaders.
/// </summary>
public sealed record ProxyHeaders
{
    public static ProxyHeaders Default { get; } = new();

    /// <summary>
    /// <c>forwardedClientCert</c>: what a sidecar's inbound connection managers do with <c>X-Forwarded-Client-Cert</c>
    /// (Envoy's enum has the same names); null (unset or UNDEFINED) is Istio's APPEND_FORWARD. Gateways take theirs from
    /// <c>gatewayTopology</c> instead.
    /// </summary>
    public ForwardClientCertDetails? ForwardedClientCert { get; init; }

    /// <summary>
    /// <c>setCurrentClientCertDetails</c>: which parts of the client certificate a sidecar's inbound connection managers
    /// put in <c>X-Forwarded-Client-Cert</c>.
    /// </summary>
    public ClientCertDetails SetCurrentClientCertDetails { get; init; } = new();

    /// <summary>
    /// <c>requestId.disabled</c>: no connection manager generates <c>X-Request-Id</c> for requests without one; by
    /// default every one does (Envoy's default, left unset).
    /// </summary>
    public bool RequestIdDisabled { get; init; }

    /// <summary>
    /// <c>server.disabled</c>: every connection manager passes the application's <c>Server</c> header through and sets
    /// none. By default inbound and gateway connection managers overwrite it with <c>istio-envoy</c>, outbound ones with
    /// Envoy's <c>envoy</c>.
    /// </summary>
    public bool ServerDisabled { get; init; }

    /// <summary><c>server.value</c>: the <c>Server</c> header every connection manager sets instead; empty for the defaults.</summary>
    public string ServerValue { get; init; } = string.Empty;

    /// <summary>
    /// <c>attemptCount.disabled</c>: virtual hosts no longer add <c>X-Envoy-Attempt-Count</c> to requests sent upstream;
    /// by default they do.
    /// </summary>
    public bool AttemptCountDisabled { get; init; }

    /// <summary>
    /// <c>envoyDebugHeaders.disabled</c>: the router filter of every connection manager suppresses the <c>x-envoy-*</c>
    /// headers it would add (<c>x-envoy-upstream-service-time</c>, <c>x-envoy-overloaded</c>, ...); by default it adds them.
    /// </summary>
    public bool EnvoyDebugHeadersDisabled { get; init; }

    /// <summary>
    /// <c>metadataExchangeHeaders.mode: IN_MESH</c>: a sidecar's outbound peer metadata filter sends the
    /// <c>x-envoy-peer-metadata</c> headers only to clusters in the mesh (reached over Istio mutual TLS); by default
    /// (UNDEFINED) it sends them to every upstream.
    /// </summary>
    public bool MetadataExchangeInMeshOnly { get; init; }
}

/// <summary>
/// <c>setCurrentClientCertDetails</c>, each field null when unset: Istio then forwards the subject, URI and DNS subject
/// alternative names, but not the certificate or its chain.
/// </summary>
public sealed record ClientCertDetails(bool? Subject = null, bool? Cert = null, bool? Chain = null, bool? Dns = null, bool? Uri = null);
