namespace Weft.Proxy.Telemetry.AccessLog;

/// <summary>
/// One request as an access log line needs it, captured when the request completes so that formatting can happen on
/// the log writer's thread. Strings are empty when a value is missing (formats print <c>-</c>, or null in JSON); the
/// header values a format asks for are captured by position (<see cref="AccessLogFormat.RequestHeaders"/>).
/// </summary>
internal sealed class AccessLogEntry
{
    public DateTimeOffset StartTime { get; init; }

    public string Protocol { get; init; } = string.Empty;

    /// <summary>The response status; 0 when no response was sent.</summary>
    public int ResponseCode { get; init; }

    public string ResponseFlags { get; init; } = string.Empty;

    public string ResponseCodeDetails { get; init; } = string.Empty;

    public long BytesReceived { get; init; }

    public long BytesSent { get; init; }

    public long DurationMs { get; init; }

    public string UpstreamHost { get; init; } = string.Empty;

    public string UpstreamCluster { get; init; } = string.Empty;

    public string DownstreamLocalAddress { get; init; } = string.Empty;

    public string DownstreamRemoteAddress { get; init; } = string.Empty;

    public string RouteName { get; init; } = string.Empty;

    public required string?[] RequestHeaders { get; init; }

    public required string?[] ResponseHeaders { get; init; }
}
