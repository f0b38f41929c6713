namespace Weft.Proxy.Telemetry.AccessLog;

/// <summary>Envoy's <c>%RESPONSE_CODE_DETAILS%</c> for the outcomes this proxy records by response flag.</summary>
internal static class ResponseCodeDetails
{
    /// <summary>The details for a request's flag; <c>via_upstream</c> for a response the upstream gave; empty when not known.</summary>
    public static string For(string flags, bool forwarded, bool responseStarted) => flags switch
    {
        "" => forwarded ? "via_upstream" : string.Empty,
        Http.ResponseFlags.NoRoute => "route_not_found",
        Http.ResponseFlags.NoClusterFound => "cluster_not_found",
        Http.ResponseFlags.NoHealthyUpstream => "no_healthy_upstream",
        Http.ResponseFlags.UpstreamConnectionFailure => "upstream_reset_before_response_started{connection_failure}",
        Http.ResponseFlags.UpstreamConnectionTermination => responseStarted
            ? "upstream_reset_after_response_started{connection_termination}"
            : "upstream_reset_before_response_started{connection_termination}",
        Http.ResponseFlags.UpstreamRequestTimeout => "upstream_response_timeout",
        Http.ResponseFlags.StreamIdleTimeout => "stream_idle_timeout",
        Http.ResponseFlags.DownstreamConnectionTermination => "downstream_remote_disconnect",
        _ => string.Empty,
    };
}
