namespace Weft.Control.Tests.Simulation;

/// <summary>
/// The generator features simulation rows wait for, each naming exactly what is missing; rows that use one are skipped
/// until it lands (their skip message says when they pass).
/// </summary>
internal static class Waiting
{
    public const string HttpChainMatch =
        "outbound HTTP listeners that match only HTTP (chain match raw_buffer + application_protocols [http/1.1, h2c], http_inspector) " +
        "with default_filter_chain PassthroughFilterChain for other traffic";

    public const string TlsSniChains =
        "TLS ports on sidecars: listener 0.0.0.0_PORT with a filter chain per host matching server_names (tls_inspector), " +
        "default_filter_chain PassthroughFilterChain; today one chain sends every host to the first service's cluster";

    public const string GatewayListeners = "gateway listeners and routes (GatewayListeners/GatewayRoutes build nothing yet)";

    public const string SidecarEgressListeners =
        "Sidecar egress listeners with a port (listener BIND_PORT, bind_to_port true for captureMode NONE, routes for the " +
        "egress hosts); SidecarListeners ignores egress ports today";

    public const string CidrAddresses =
        "TCP services with CIDR addresses: listener 0.0.0.0_PORT with a chain matching prefix_ranges and default_filter_chain " +
        "PassthroughFilterChain; today the chain has no match, so every destination on the port goes to the service";

    public const string HeadlessTcp =
        "headless TCP services (no cluster IP): a listener per endpoint address (ENDPOINT_PORT); today 0.0.0.0_PORT takes " +
        "every destination on the port";
}
