namespace Weft.Proxy.Hosting;

/// <summary>
/// How to run a proxy: who it is, where its control plane is, and where it listens. Addresses are <c>HOST:PORT</c>;
/// port 0 lets the OS choose (the chosen ports are on the started <see cref="ProxyHost"/>).
/// </summary>
public sealed record ProxyOptions
{
    /// <summary>Istio's node id, <c>sidecar~IP~NAME.NAMESPACE~NAMESPACE.svc.cluster.local</c>.</summary>
    public required string NodeId { get; init; }

    /// <summary>The control plane's plaintext xDS address (<c>weft control --xds-address</c>).</summary>
    public required string XdsAddress { get; init; }

    /// <summary>Outbound capture: requests routed by their Host (or absolute-form URI).</summary>
    public string OutboundAddress { get; init; } = "127.0.0.1:15001";

    /// <summary>Inbound capture: requests for this proxy's workload.</summary>
    public string InboundAddress { get; init; } = "127.0.0.1:15006";

    /// <summary>Admin API: <c>/ready</c>, <c>/config_dump</c>, <c>/listeners</c>, <c>/clusters</c>, <c>/quitquitquit</c>.</summary>
    public string AdminAddress { get; init; } = "127.0.0.1:15000";

    /// <summary>Prometheus metrics (not served yet: every path answers 404).</summary>
    public string StatsAddress { get; init; } = "127.0.0.1:15020";

    /// <summary>Health: <c>/healthz/ready</c>.</summary>
    public string HealthAddress { get; init; } = "127.0.0.1:15021";

    /// <summary>How long stopping waits for requests in flight before cutting them.</summary>
    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromSeconds(5);

    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>First and longest delay between attempts to reach the control plane.</summary>
    internal TimeSpan ReconnectInitial { get; init; } = TimeSpan.FromMilliseconds(500);

    internal TimeSpan ReconnectMaximum { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The random values requests draw (weighted clusters, runtime fractions, load balancing, fault shares, retry
    /// back-off); tests fix it.
    /// </summary>
    internal Func<ulong>? Random { get; init; }

    /// <summary>Called with what the proxy decided once each request on the outbound or inbound listener is over.</summary>
    internal Action<Http.ProxyRequestInfo>? RequestCompleted { get; init; }
}
