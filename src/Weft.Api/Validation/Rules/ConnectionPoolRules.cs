using Weft.Api.GoCompat;
using Weft.Api.Model.Networking;

namespace Weft.Api.Validation.Rules;

/// <summary>Istio's <c>validateConnectionPool</c>, for DestinationRule traffic policies and Sidecar connection pools.</summary>
internal static class ConnectionPoolRules
{
    public static void Validate(ValidationContext context, string path, ConnectionPoolSettings? settings)
    {
        if (settings is null)
        {
            return;
        }

        if (settings.Http is null && settings.Tcp is null)
        {
            context.Error(path, "connection pool must have at least one field");
            return;
        }

        if (settings.Http is { } http)
        {
            var p = path + ".http";
            if (http.Http1MaxPendingRequests < 0)
            {
                context.Error(p + ".http1MaxPendingRequests", "http1 max pending requests must be non-negative");
            }

            if (http.Http2MaxRequests < 0)
            {
                context.Error(p + ".http2MaxRequests", "http2 max requests must be non-negative");
            }

            if (http.MaxRequestsPerConnection < 0)
            {
                context.Error(p + ".maxRequestsPerConnection", "max requests per connection must be non-negative");
            }

            if (http.MaxRetries < 0)
            {
                context.Error(p + ".maxRetries", "max retries must be non-negative");
            }

            Durations.Validate(context, p + ".idleTimeout", http.IdleTimeout);
            if (EnumNames.Of(http.H2UpgradePolicy, EnumNames.H2UpgradePolicy) == "UPGRADE" && http.UseClientProtocol == true)
            {
                context.Error(p + ".useClientProtocol", "use client protocol must not be true when H2UpgradePolicy is UPGRADE");
            }

            if (http.MaxConcurrentStreams < 0)
            {
                context.Error(p + ".maxConcurrentStreams", "max concurrent streams must be non-negative");
            }

            if (http.Http2KeepAlive is { } keepalive)
            {
                var k = p + ".http2KeepAlive";
                if (keepalive.Interval is null)
                {
                    context.Error(k + ".interval", "http2 keepalive interval is required");
                }
                else
                {
                    Durations.Validate(context, k + ".interval", keepalive.Interval);
                }

                if (keepalive.Timeout is null)
                {
                    context.Error(k + ".timeout", "http2 keepalive timeout is required");
                }
                else
                {
                    Durations.Validate(context, k + ".timeout", keepalive.Timeout);
                }
            }
        }

        if (settings.Tcp is { } tcp)
        {
            var p = path + ".tcp";
            if (tcp.MaxConnections < 0)
            {
                context.Error(p + ".maxConnections", "max connections must be non-negative");
            }

            Durations.Validate(context, p + ".connectTimeout", tcp.ConnectTimeout);
            Durations.Validate(context, p + ".maxConnectionDuration", tcp.MaxConnectionDuration);
            if (tcp.IdleTimeout is { } idle)
            {
                // Zero (to the millisecond) disables the idle timeout and is not checked.
                if (!GoDuration.TryParse(idle, out var nanos, out _) || nanos / Durations.NanosPerMillisecond != 0)
                {
                    Durations.Validate(context, p + ".idleTimeout", idle);
                }
            }

            if (tcp.TcpKeepalive is { } keepalive)
            {
                Durations.Validate(context, p + ".tcpKeepalive.time", keepalive.Time);
                Durations.Validate(context, p + ".tcpKeepalive.interval", keepalive.Interval);
            }
        }
    }
}
