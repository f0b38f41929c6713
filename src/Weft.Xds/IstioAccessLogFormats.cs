namespace Weft.Xds;

/// <summary>
/// Istio's default access log formats, which istiod writes into the file access logs it configures from mesh
/// <c>accessLogFile</c> when <c>accessLogFormat</c> is empty, and which <c>weft proxy --access-log</c> uses.
/// </summary>
public static class IstioAccessLogFormats
{
    /// <summary>Istio's default text format (mesh <c>accessLogFormat</c> empty, <c>accessLogEncoding: TEXT</c>).</summary>
    public const string Text =
        "[%START_TIME%] \"%REQ(:METHOD)% %REQ(X-ENVOY-ORIGINAL-PATH?:PATH)% %PROTOCOL%\" %RESPONSE_CODE% %RESPONSE_FLAGS% "
        + "%RESPONSE_CODE_DETAILS% %CONNECTION_TERMINATION_DETAILS% \"%UPSTREAM_TRANSPORT_FAILURE_REASON%\" %BYTES_RECEIVED% %BYTES_SENT% "
        + "%DURATION% %RESP(X-ENVOY-UPSTREAM-SERVICE-TIME)% \"%REQ(X-FORWARDED-FOR)%\" \"%REQ(USER-AGENT)%\" \"%REQ(X-REQUEST-ID)%\" "
        + "\"%REQ(:AUTHORITY)%\" \"%UPSTREAM_HOST%\" %UPSTREAM_CLUSTER% %UPSTREAM_LOCAL_ADDRESS% %DOWNSTREAM_LOCAL_ADDRESS% "
        + "%DOWNSTREAM_REMOTE_ADDRESS% %REQUESTED_SERVER_NAME% %ROUTE_NAME%\n";

    /// <summary>Istio's default JSON format (<c>accessLogEncoding: JSON</c>): key and format string.</summary>
    public static readonly IReadOnlyList<KeyValuePair<string, string>> Json =
    [
        new("authority", "%REQ(:AUTHORITY)%"),
        new("bytes_received", "%BYTES_RECEIVED%"),
        new("bytes_sent", "%BYTES_SENT%"),
        new("connection_termination_details", "%CONNECTION_TERMINATION_DETAILS%"),
        new("downstream_local_address", "%DOWNSTREAM_LOCAL_ADDRESS%"),
        new("downstream_remote_address", "%DOWNSTREAM_REMOTE_ADDRESS%"),
        new("duration", "%DURATION%"),
        new("method", "%REQ(:METHOD)%"),
        new("path", "%REQ(X-ENVOY-ORIGINAL-PATH?:PATH)%"),
        new("protocol", "%PROTOCOL%"),
        new("request_id", "%REQ(X-REQUEST-ID)%"),
        new("requested_server_name", "%REQUESTED_SERVER_NAME%"),
        new("response_code", "%RESPONSE_CODE%"),
        new("response_code_details", "%RESPONSE_CODE_DETAILS%"),
        new("response_flags", "%RESPONSE_FLAGS%"),
        new("route_name", "%ROUTE_NAME%"),
        new("start_time", "%START_TIME%"),
        new("upstream_cluster", "%UPSTREAM_CLUSTER%"),
        new("upstream_host", "%UPSTREAM_HOST%"),
        new("upstream_local_address", "%UPSTREAM_LOCAL_ADDRESS%"),
        new("upstream_service_time", "%RESP(X-ENVOY-UPSTREAM-SERVICE-TIME)%"),
        new("upstream_transport_failure_reason", "%UPSTREAM_TRANSPORT_FAILURE_REASON%"),
        new("user_agent", "%REQ(USER-AGENT)%"),
        new("x_forwarded_for", "%REQ(X-FORWARDED-FOR)%"),
    ];
}
