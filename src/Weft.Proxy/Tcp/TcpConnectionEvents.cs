using Microsoft.Extensions.Logging;
using Weft.Proxy.Telemetry.AccessLog;

namespace Weft.Proxy.Tcp;

/// <summary>
/// TELEMETRY HOOK for the TCP path, and its only one. <see cref="Opened"/> is called once per proxied connection when
/// its upstream is settled: connected (cluster, endpoint and address on the record) or given up (the record's flags
/// say why: NC, UH, UF); the bytes are counted as they move, on <see cref="TcpConnectionRecord.ReceivedBytes"/> (client
/// to upstream) and <see cref="TcpConnectionRecord.SentBytes"/> (upstream to client), in
/// <see cref="TcpProxy"/>'s two copy loops (the only places bytes move); <see cref="Closed"/> is called once when both
/// sides are done. Istio's <c>istio_tcp_*</c> metrics and the TCP access log belong here. As Istio's stats filter does,
/// an open connection is counted as opened at once and its bytes go into the metrics every
/// <paramref name="reportingInterval"/> (on <paramref name="time"/>'s clock; the stats filter's
/// <c>tcp_reporting_duration</c> when it sets one) and at close. Only connections whose chain has Istio's stats filter
/// count in the metrics.
/// </summary>
internal sealed partial class TcpConnectionEvents(ILogger<TcpConnectionEvents> log, Telemetry.TcpTelemetry? telemetry = null, TimeProvider? time = null, TimeSpan reportingInterval = default, AccessLogs? logs = null)
{
    public void Opened(TcpConnectionRecord connection)
    {
        if (telemetry is not null && connection.Stats is { } stats)
        {
            var role = connection.Direction == Weft.Xds.Envoy.Config.Core.V3.TrafficDirection.Inbound ? Http.ListenerRole.Inbound : Http.ListenerRole.Outbound;
            var peer = role == Http.ListenerRole.Inbound ? connection.DownstreamPeer : connection.UpstreamPeer;
            var values = stats.Evaluate(stats.Expressions.Count > 0 ? new ConnectionAttributes(connection) : null);
            connection.Report = telemetry.Opened(role, connection.ClusterModel, connection.Upstream, stats, values, peer, flags: connection.Flags, mutualTls: connection.MutualTls, sourcePrincipal: connection.SourcePrincipal, destinationPrincipal: connection.DestinationPrincipal);
            var interval = stats.ReportingInterval ?? reportingInterval;
            if (time is not null && interval > TimeSpan.Zero)
            {
                connection.ReportTimer = time.CreateTimer(static c => ((TcpConnectionRecord)c!).ReportBytes(), connection, interval, interval);
            }
        }

        if (log.IsEnabled(LogLevel.Debug))
        {
            var downstream = connection.DownstreamRemote?.ToString() ?? "-";
            LogOpened(log, downstream, connection.Listener, connection.FilterChain, connection.Cluster);
        }
    }

    public void Closed(TcpConnectionRecord connection)
    {
        connection.ReportTimer?.Dispose();
        connection.CloseReport();
        WriteAccessLogs(connection);

        if (log.IsEnabled(LogLevel.Debug))
        {
            var downstream = connection.DownstreamRemote?.ToString() ?? "-";
            var upstream = connection.UpstreamHost.Length > 0 ? connection.UpstreamHost : "-";
            var flags = connection.Flags.Length > 0 ? connection.Flags : "-";
            var duration = (long)connection.Duration.TotalMilliseconds;
            LogClosed(log, downstream, connection.Cluster, upstream, connection.ReceivedBytes, connection.SentBytes, flags, duration);
        }
    }

    /// <summary>
    /// Writes the connection to its access logs (its TCP proxy's or listener's, and the proxy's own): at its close, or
    /// for one the TCP proxy never carried (no filter chain took it, or a network filter refused it).
    /// </summary>
    public void WriteAccessLogs(TcpConnectionRecord connection)
    {
        if (logs is null)
        {
            return;
        }

        var targets = logs.For(connection.AccessLogs);
        var facts = new AccessLogFacts(connection.Flags, 0, AccessLogTarget.UseAttributes(targets) ? new ConnectionAttributes(connection) : null);
        foreach (var target in targets)
        {
            if (target.Accepts(facts))
            {
                target.Writer.Enqueue(AccessLogEntry.Of(target.Format, connection));
            }
        }
    }

    [LoggerMessage(EventId = 500, Level = LogLevel.Debug, Message = "TCP connection from {Downstream} on listener {Listener} chain {Chain} to cluster {Cluster}")]
    private static partial void LogOpened(ILogger log, string downstream, string listener, string chain, string cluster);

    [LoggerMessage(EventId = 501, Level = LogLevel.Debug, Message = "TCP connection from {Downstream} closed: cluster {Cluster}, upstream {Upstream}, {Received} bytes received, {Sent} bytes sent, flags {Flags}, {Duration} ms")]
    private static partial void LogClosed(ILogger log, string downstream, string cluster, string upstream, long received, long sent, string flags, long duration);
}
