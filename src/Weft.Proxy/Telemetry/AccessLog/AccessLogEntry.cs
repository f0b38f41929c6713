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

    /// <summary>Why the connection was closed by the proxy (network RBAC's refusal); empty otherwise.</summary>
    public string ConnectionTerminationDetails { get; init; } = string.Empty;

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

    /// <summary>
    /// A connection as Envoy's TCP proxy (or a listener, for one no chain took) logs it: no protocol, method or headers
    /// (<c>-</c>), response code 0, the flags, the bytes each way, the duration, the upstream host and cluster, and the
    /// downstream addresses.
    /// </summary>
    public static AccessLogEntry Of(AccessLogFormat format, Tcp.TcpConnectionRecord connection) => new()
    {
        StartTime = connection.StartTime,
        ResponseFlags = connection.Flags,
        ConnectionTerminationDetails = connection.TerminationDetails,
        BytesReceived = connection.ReceivedBytes,
        BytesSent = connection.SentBytes,
        DurationMs = (long)connection.Duration.TotalMilliseconds,
        UpstreamHost = connection.UpstreamHost,
        UpstreamCluster = connection.Cluster,
        DownstreamLocalAddress = Address(connection.DownstreamLocal),
        DownstreamRemoteAddress = Address(connection.DownstreamRemote),
        RequestHeaders = new string?[format.RequestHeaders.Count],
        ResponseHeaders = new string?[format.ResponseHeaders.Count],
    };

    private static string Address(System.Net.EndPoint? endpoint) => endpoint switch
    {
        System.Net.IPEndPoint ip => Snapshot.HostPort.Join(ip.Address.ToString(), ip.Port),
        null => string.Empty,
        var other => other.ToString() ?? string.Empty,
    };
}
