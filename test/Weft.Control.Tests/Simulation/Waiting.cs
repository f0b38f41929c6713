namespace Weft.Control.Tests.Simulation;

/// <summary>
/// The generator features simulation rows wait for, each naming exactly what is missing; rows that use one are skipped
/// until it lands (their skip message says when they pass).
/// </summary>
internal static class Waiting
{
    public const string HeaderMatches =
        "VirtualService header matches in HttpRouteBuilder (match.headers → RouteMatch.headers string_match; today the route matches every request)";

    public const string WithoutHeaders =
        "withoutHeaders in HttpRouteBuilder (→ header matcher with invert_match and treat_missing_header_as_empty)";

    public const string QueryParams = "queryParams in HttpRouteBuilder (→ RouteMatch.query_parameters)";

    public const string MethodMatch = "method matches in HttpRouteBuilder (→ :method header matcher)";

    public const string UriRegex = "uri regex in HttpRouteBuilder (→ RouteMatch.safe_regex; today it becomes prefix \"/\")";

    public const string IgnoreUriCase = "ignoreUriCase in HttpRouteBuilder (→ RouteMatch.case_sensitive: false)";

    public const string Redirect =
        "HTTPRoute.redirect in HttpRouteBuilder (→ Route.redirect; today a RouteAction with empty weighted_clusters, which Envoy " +
        "rejects, losing the whole route configuration)";

    public const string MatchGateways = "match.gateways in HttpRouteBuilder (a match naming only gateways does not apply to sidecars)";

    public const string SourceLabels = "match.sourceLabels in HttpRouteBuilder (a match for other workloads' labels is dropped for this proxy)";

    public const string MatchPort = "match.port in HttpRouteBuilder (a match for another port is dropped from this port's routes)";

    public const string DirectResponse = "HTTPRoute.directResponse in HttpRouteBuilder (→ Route.direct_response; today an empty RouteAction)";

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
