namespace Weft.Control.Tests.Simulation;

/// <summary>Why a simulated call does not reach a cluster, as Envoy would fail it.</summary>
internal enum Failure
{
    None,

    /// <summary>No listener takes the connection: it is refused.</summary>
    NoListener,

    /// <summary>The listener has no filter chain for the connection and no default chain: Envoy closes it (flag NR).</summary>
    NoFilterChain,

    /// <summary>Several filter chains match equally well: Envoy would reject such a listener.</summary>
    AmbiguousFilterChain,

    /// <summary>The connection's protocol does not fit the chain (a plain TCP stream reaching an HTTP connection manager).</summary>
    ProtocolMismatch,

    /// <summary>The route configuration a connection manager names was not served: requests wait for it.</summary>
    MissingRouteConfig,

    /// <summary>The route configuration repeats a domain across virtual hosts: Envoy would reject it.</summary>
    InvalidRouteConfig,

    /// <summary>No virtual host, or no route in it, matches the request: 404 with flag NR.</summary>
    NoRoute,

    /// <summary>The route names a cluster that is not served: 503 with flag NC.</summary>
    ClusterNotFound,
}
