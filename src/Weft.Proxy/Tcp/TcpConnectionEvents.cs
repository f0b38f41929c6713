using Microsoft.Extensions.Logging;

namespace Weft.Proxy.Tcp;

/// <summary>
/// TELEMETRY HOOK for the TCP path, and its only one: every connection the TCP proxy takes is reported here when it
/// opens (its chain and cluster are known) and when it closes (upstream host, bytes each way, flags, duration); while
/// it is open, <see cref="TcpConnectionRecord.ReceivedBytes"/> and <see cref="TcpConnectionRecord.SentBytes"/> count
/// the bytes as they move. Istio's <c>istio_tcp_*</c> metrics and the TCP access log belong here.
/// </summary>
internal sealed partial class TcpConnectionEvents(ILogger<TcpConnectionEvents> log)
{
    public void Opened(TcpConnectionRecord connection)
    {
        if (log.IsEnabled(LogLevel.Debug))
        {
            var downstream = connection.DownstreamRemote?.ToString() ?? "-";
            LogOpened(log, downstream, connection.Listener, connection.FilterChain, connection.Cluster);
        }
    }

    public void Closed(TcpConnectionRecord connection)
    {
        if (log.IsEnabled(LogLevel.Debug))
        {
            var downstream = connection.DownstreamRemote?.ToString() ?? "-";
            var upstream = connection.UpstreamHost.Length > 0 ? connection.UpstreamHost : "-";
            var flags = connection.Flags.Length > 0 ? connection.Flags : "-";
            var duration = (long)connection.Duration.TotalMilliseconds;
            LogClosed(log, downstream, connection.Cluster, upstream, connection.ReceivedBytes, connection.SentBytes, flags, duration);
        }
    }

    [LoggerMessage(EventId = 500, Level = LogLevel.Debug, Message = "TCP connection from {Downstream} on listener {Listener} chain {Chain} to cluster {Cluster}")]
    private static partial void LogOpened(ILogger log, string downstream, string listener, string chain, string cluster);

    [LoggerMessage(EventId = 501, Level = LogLevel.Debug, Message = "TCP connection from {Downstream} closed: cluster {Cluster}, upstream {Upstream}, {Received} bytes received, {Sent} bytes sent, flags {Flags}, {Duration} ms")]
    private static partial void LogClosed(ILogger log, string downstream, string cluster, string upstream, long received, long sent, string flags, long duration);
}
