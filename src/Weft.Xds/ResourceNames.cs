using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Weft.Xds;

/// <summary>
/// The direction part of Istio names (<c>outbound|…</c>, <c>inbound|…</c>, <c>outbound_0.0.0.0_80</c>); Istio calls it
/// TrafficDirection, a name Envoy's core enum already has.
/// </summary>
public enum Direction
{
    Outbound,
    Inbound,
}

/// <summary>An Istio cluster name taken apart: <c>outbound|9080|v1|reviews.default.svc.cluster.local</c>.</summary>
/// <param name="Direction">Outbound or inbound.</param>
/// <param name="Port">The service port (outbound) or the workload's target port (inbound).</param>
/// <param name="Subset">The DestinationRule subset; empty for none.</param>
/// <param name="Host">The service's host name; empty for inbound clusters.</param>
public readonly record struct ClusterName(Direction Direction, int Port, string Subset, string Host)
{
    /// <summary>The <c>DIRECTION|PORT|SUBSET|HOST</c> form.</summary>
    public override string ToString() => ResourceNames.Cluster(Direction, Port, Subset, Host);
}

/// <summary>
/// The names Istio gives xDS resources, so that a Weft config dump reads like Istio's: clusters
/// <c>outbound|PORT|SUBSET|HOST</c>, <c>inbound|PORT||</c>; listeners <c>virtualOutbound</c>,
/// <c>virtualInbound</c>, <c>BIND_PORT</c>; route configs named by port; virtual hosts <c>HOST:PORT</c>;
/// SNI <c>outbound_.PORT_.SUBSET_.HOST</c>. This class is the one place that makes them.
/// </summary>
public static class ResourceNames
{
    // Fixed clusters.

    /// <summary>ORIGINAL_DST cluster for traffic to destinations outside the registry (ALLOW_ANY).</summary>
    public const string PassthroughCluster = "PassthroughCluster";

    /// <summary>STATIC cluster with no endpoints: the connection or request fails.</summary>
    public const string BlackHoleCluster = "BlackHoleCluster";

    /// <summary>ORIGINAL_DST cluster for inbound traffic to ports no service declares.</summary>
    public const string InboundPassthroughCluster = "InboundPassthroughCluster";

    // Listeners and filter chains.

    /// <summary>The outbound capture listener (port 15001).</summary>
    public const string VirtualOutboundListener = "virtualOutbound";

    /// <summary>The inbound capture listener (port 15006); also the name of its TCP passthrough chains.</summary>
    public const string VirtualInboundListener = "virtualInbound";

    /// <summary>virtualOutbound's loop guard: traffic addressed to 15001 itself goes to the black hole.</summary>
    public const string VirtualOutboundBlackholeChain = "virtualOutbound-blackhole";

    /// <summary>virtualOutbound's chain for everything no per-port listener takes.</summary>
    public const string VirtualOutboundCatchAllTcpChain = "virtualOutbound-catchall-tcp";

    /// <summary>virtualInbound's loop guard for traffic addressed to 15006 itself.</summary>
    public const string VirtualInboundBlackholeChain = "virtualInbound-blackhole";

    /// <summary>virtualInbound's HTTP passthrough chains (ports no service declares).</summary>
    public const string VirtualInboundCatchAllHttpChain = "virtualInbound-catchall-http";

    /// <summary>The default_filter_chain of a listener that has no match-all chain.</summary>
    public const string PassthroughFilterChain = "PassthroughFilterChain";

    /// <summary>The address of listeners that bind every IPv4 address.</summary>
    public const string WildcardAddress = "0.0.0.0";

    /// <summary>The prefix of the listener names proxyless gRPC servers ask for.</summary>
    public const string ProxylessInboundListenerPrefix = "xds.istio.io/grpc/lds/inbound/";

    // Virtual hosts and routes.

    /// <summary>The catch-all virtual host and route to PassthroughCluster (ALLOW_ANY).</summary>
    public const string AllowAny = "allow_any";

    /// <summary>The catch-all virtual host and route answering 502 (REGISTRY_ONLY).</summary>
    public const string BlockAll = "block_all";

    /// <summary>The route of a service without a VirtualService, and of inbound HTTP chains.</summary>
    public const string DefaultRoute = "default";

    // Secrets (SDS).

    /// <summary>The workload's certificate chain and key.</summary>
    public const string DefaultSecret = "default";

    /// <summary>The trust bundle.</summary>
    public const string RootCaSecret = "ROOTCA";

    /// <summary>What Istio appends to a stat prefix so that stat names split unambiguously.</summary>
    public const string StatPrefixDelimiter = ";";

    /// <summary>The cluster of the local SDS server (pilot-agent) that serves workload and file-based secrets.</summary>
    public const string SdsCluster = "sds-grpc";

    /// <summary>What a credential name's CA secret adds to the name.</summary>
    public const string CredentialCaSuffix = "-cacert";

    private const string FileCertificatePrefix = "file-cert:";
    private const string FileRootPrefix = "file-root:";
    private const string KubernetesCredentialPrefix = "kubernetes://";
    private const string BuiltinCredentialPrefix = "builtin://";

    private const string OutboundText = "outbound";
    private const string InboundText = "inbound";
    private const string SniSeparator = "_.";

    /// <summary><c>outbound|PORT|SUBSET|HOST</c>, e.g. <c>outbound|9080||reviews.default.svc.cluster.local</c>.</summary>
    public static string OutboundCluster(int port, string host, string subset = "") =>
        Cluster(Direction.Outbound, port, subset, host);

    /// <summary><c>inbound|PORT||</c> for a workload's target port (Istio ≥ 1.10).</summary>
    public static string InboundCluster(int port) => Cluster(Direction.Inbound, port, "", "");

    /// <summary><c>DIRECTION|PORT|SUBSET|HOST</c>.</summary>
    public static string Cluster(Direction direction, int port, string subset, string host)
    {
        ArgumentNullException.ThrowIfNull(subset);
        ArgumentNullException.ThrowIfNull(host);
        return string.Concat(DirectionText(direction), "|", Port(port), "|", subset, "|", host);
    }

    /// <summary>
    /// The SNI of Istio mTLS to a cluster, also the cluster name on AUTO_PASSTHROUGH gateways:
    /// <c>outbound_.PORT_.SUBSET_.HOST</c>; without a subset <c>outbound_.9080_._.reviews.default.svc.cluster.local</c>.
    /// </summary>
    public static string Sni(int port, string host, string subset = "")
    {
        ArgumentNullException.ThrowIfNull(subset);
        ArgumentNullException.ThrowIfNull(host);
        return string.Concat(OutboundText, SniSeparator, Port(port), SniSeparator, subset, SniSeparator, host);
    }

    /// <summary>
    /// Takes apart a cluster name in either form, <c>DIRECTION|PORT|SUBSET|HOST</c> or the SNI form
    /// <c>DIRECTION_.PORT_.SUBSET_.HOST</c>. False for the fixed clusters and anything else that is not one.
    /// </summary>
    public static bool TryParseCluster(string? name, out ClusterName cluster)
    {
        cluster = default;
        if (string.IsNullOrEmpty(name))
            return false;

        // Like Istio's ParseSubsetKey: the SNI form is recognised by its prefix; the host keeps any later "_." or "|"
        // only if it is not the separator of its form.
        var separator = name.StartsWith(OutboundText + "_", StringComparison.Ordinal)
            || name.StartsWith(InboundText + "_", StringComparison.Ordinal) ? SniSeparator : "|";
        var parts = name.Split(separator, 4);
        if (parts.Length != 4 || parts[3].Contains(separator, StringComparison.Ordinal))
            return false;

        Direction direction;
        if (parts[0] == OutboundText) direction = Direction.Outbound;
        else if (parts[0] == InboundText) direction = Direction.Inbound;
        else return false;

        if (!int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port > 65535)
            return false;

        cluster = new ClusterName(direction, port, parts[2], parts[3]);
        return true;
    }

    /// <summary>Whether the name is in the SNI form <c>outbound_.PORT_.SUBSET_.HOST</c> (or <c>inbound_.</c>).</summary>
    public static bool IsSniForm(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return name.StartsWith(OutboundText + SniSeparator, StringComparison.Ordinal)
            || name.StartsWith(InboundText + SniSeparator, StringComparison.Ordinal);
    }

    /// <summary>Istio's cluster <c>alt_stat_name</c>: the name followed by <c>;</c>.</summary>
    public static string AltStatName(string clusterName)
    {
        ArgumentNullException.ThrowIfNull(clusterName);
        return clusterName + StatPrefixDelimiter;
    }

    /// <summary>A per-port listener, <c>BIND_PORT</c>: <c>0.0.0.0_80</c>, <c>10.0.0.7_3306</c>; also an inbound chain's name.</summary>
    public static string Listener(string bind, int port)
    {
        ArgumentException.ThrowIfNullOrEmpty(bind);
        return string.Concat(bind, "_", Port(port));
    }

    /// <summary><c>0.0.0.0_PORT</c>: the shared outbound HTTP listener of a port, and an inbound chain for a target port.</summary>
    public static string WildcardListener(int port) => Listener(WildcardAddress, port);

    /// <summary>Takes apart a <c>BIND_PORT</c> listener name (the port follows the last underscore).</summary>
    public static bool TryParseListener(string? name, [NotNullWhen(true)] out string? bind, out int port)
    {
        bind = null;
        port = 0;
        var i = name?.LastIndexOf('_') ?? -1;
        if (i <= 0 || !int.TryParse(name.AsSpan(i + 1), NumberStyles.None, CultureInfo.InvariantCulture, out port) || port > 65535)
        {
            port = 0;
            return false;
        }

        bind = name![..i];
        return true;
    }

    /// <summary>The listener a proxyless gRPC server asks for: <c>xds.istio.io/grpc/lds/inbound/IP:PORT</c> (IPv6 in brackets).</summary>
    public static string ProxylessInboundListener(string ip, int port) =>
        ProxylessInboundListenerPrefix + JoinHostPort(ip, port);

    /// <summary>
    /// <c>HOST:PORT</c>: a virtual host (<c>reviews.default.svc.cluster.local:9080</c>), the route config of an
    /// auto-detected port with a VIP, and the listener a proxyless gRPC client asks for.
    /// </summary>
    public static string HostPort(string host, int port)
    {
        ArgumentException.ThrowIfNullOrEmpty(host);
        return string.Concat(host, ":", Port(port));
    }

    /// <summary>The virtual host of a service port: <c>HOST:PORT</c>.</summary>
    public static string VirtualHost(string host, int port) => HostPort(host, port);

    /// <summary>A sidecar's outbound HTTP route config, named by the port: <c>80</c>.</summary>
    public static string OutboundRouteConfig(int port) => Port(port);

    /// <summary>The virtual host of an inbound HTTP chain: <c>inbound|http|SERVICE_PORT</c>.</summary>
    public static string InboundHttpVirtualHost(int servicePort) => string.Concat(InboundText, "|http|", Port(servicePort));

    /// <summary>A gateway's plaintext HTTP route config: <c>http.PORT</c>, or <c>http.PORT.BIND</c> for a server with a bind.</summary>
    public static string GatewayHttpRouteConfig(int port, string bind = "")
    {
        ArgumentNullException.ThrowIfNull(bind);
        return "http." + Port(port) + (bind.Length > 0 ? "." + bind : string.Empty);
    }

    /// <summary>
    /// A gateway's HTTPS route config: <c>https.PORT.PORT_NAME.GATEWAY.NAMESPACE</c>, followed by <c>.BIND</c> for a server
    /// with a bind.
    /// </summary>
    public static string GatewayHttpsRouteConfig(int port, string portName, string gateway, string gatewayNamespace, string bind = "")
    {
        ArgumentNullException.ThrowIfNull(bind);
        var name = string.Join('.', "https", Port(port), portName, gateway, gatewayNamespace);
        return bind.Length > 0 ? name + "." + bind : name;
    }

    /// <summary>The virtual host of a gateway route config with no hosts (answers 404): <c>blackhole:PORT</c>.</summary>
    public static string GatewayBlackholeVirtualHost(int port) => "blackhole:" + Port(port);

    /// <summary>An HTTP connection manager's stat prefix: <c>outbound_0.0.0.0_80</c>, <c>inbound_0.0.0.0_8080</c>.</summary>
    public static string StatPrefix(Direction direction, string listenerOrChainName)
    {
        ArgumentException.ThrowIfNullOrEmpty(listenerOrChainName);
        return string.Concat(DirectionText(direction), "_", listenerOrChainName);
    }

    /// <summary>
    /// A stat prefix as Istio writes it into connection managers, ended by the delimiter: <c>outbound_0.0.0.0_80;</c>,
    /// <c>inbound_0.0.0.0_8080;</c>.
    /// </summary>
    public static string DelimitedStatPrefix(string statPrefix)
    {
        ArgumentException.ThrowIfNullOrEmpty(statPrefix);
        return statPrefix + StatPrefixDelimiter;
    }

    /// <summary>
    /// The path Istio puts in <c>istio.config</c> metadata to name the resource a piece of config came from:
    /// <c>/apis/networking.istio.io/v1/namespaces/NS/KIND/NAME</c>, the kind in kebab case (<c>virtual-service</c>).
    /// </summary>
    public static string NetworkingConfigPath(string kebabKind, string ns, string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(kebabKind);
        ArgumentException.ThrowIfNullOrEmpty(ns);
        ArgumentException.ThrowIfNullOrEmpty(name);
        return string.Concat("/apis/networking.istio.io/v1/namespaces/", ns, "/", kebabKind, "/", name);
    }

    /// <summary>The SDS secret of a certificate and key read from files: <c>file-cert:CERT~KEY</c>.</summary>
    public static string FileCertificateSecret(string certificatePath, string privateKeyPath)
    {
        ArgumentException.ThrowIfNullOrEmpty(certificatePath);
        ArgumentException.ThrowIfNullOrEmpty(privateKeyPath);
        return string.Concat(FileCertificatePrefix, certificatePath, "~", privateKeyPath);
    }

    /// <summary>The SDS secret of a CA bundle read from a file: <c>file-root:PATH</c>.</summary>
    public static string FileRootSecret(string caCertificatesPath)
    {
        ArgumentException.ThrowIfNullOrEmpty(caCertificatesPath);
        return FileRootPrefix + caCertificatesPath;
    }

    /// <summary>
    /// The SDS secret a gateway's <c>credentialName</c> names: <c>kubernetes://NAME</c>, a name that already carries a
    /// type (<c>kubernetes://</c>, <c>kubernetes-gateway://</c>, <c>configmap://</c>) as it is, <c>builtin://</c> the
    /// workload's own certificate (<c>default</c>).
    /// </summary>
    public static string CredentialSecret(string credentialName)
    {
        ArgumentException.ThrowIfNullOrEmpty(credentialName);
        if (credentialName.StartsWith(BuiltinCredentialPrefix, StringComparison.Ordinal))
        {
            return credentialName.EndsWith(CredentialCaSuffix, StringComparison.Ordinal) ? RootCaSecret : DefaultSecret;
        }

        return credentialName.StartsWith(KubernetesCredentialPrefix, StringComparison.Ordinal)
            || credentialName.StartsWith("kubernetes-gateway://", StringComparison.Ordinal)
            || credentialName.StartsWith("configmap://", StringComparison.Ordinal)
            ? credentialName
            : KubernetesCredentialPrefix + credentialName;
    }

    /// <summary>The SDS secret holding the CA that checks client certificates for a credential: <c>kubernetes://NAME-cacert</c>.</summary>
    public static string CredentialCaSecret(string credentialName)
    {
        ArgumentException.ThrowIfNullOrEmpty(credentialName);
        return CredentialSecret(credentialName + CredentialCaSuffix);
    }

    private static string DirectionText(Direction direction) => direction switch
    {
        Direction.Outbound => OutboundText,
        Direction.Inbound => InboundText,
        _ => throw new ArgumentOutOfRangeException(nameof(direction), direction, null),
    };

    private static string Port(int port)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(port);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, 65535);
        return port.ToString(CultureInfo.InvariantCulture);
    }

    private static string JoinHostPort(string host, int port)
    {
        ArgumentException.ThrowIfNullOrEmpty(host);
        return host.Contains(':', StringComparison.Ordinal) && !host.StartsWith('[')
            ? string.Concat("[", host, "]:", Port(port))
            : string.Concat(host, ":", Port(port));
    }
}
