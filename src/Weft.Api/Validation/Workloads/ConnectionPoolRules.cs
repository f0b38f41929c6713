using Weft.Api.GoCompat;
using Weft.Api.Model.Networking;
using Weft.Api.Validation.Rules;

namespace Weft.Api.Validation.Workloads;

/// <summary>Istio's <c>validateConnectionPool</c> (used by Sidecar inbound pools; DestinationRule uses the same rules).</summary>
internal static class ConnectionPoolRules
{
    public static void Validate(ValidationContext context, ConnectionPoolSettings? settings, string path)
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
            var at = path + ".http";
            NonNegative(context, http.Http1MaxPendingRequests, at + ".http1MaxPendingRequests", "http1 max pending requests must be non-negative");
            NonNegative(context, http.Http2MaxRequests, at + ".http2MaxRequests", "http2 max requests must be non-negative");
            NonNegative(context, http.MaxRequestsPerConnection, at + ".maxRequestsPerConnection", "max requests per connection must be non-negative");
            NonNegative(context, http.MaxRetries, at + ".maxRetries", "max retries must be non-negative");
            Duration(context, http.IdleTimeout, at + ".idleTimeout");
            if (EnumNames.Of(http.H2UpgradePolicy, EnumNames.H2UpgradePolicy) == "UPGRADE" && http.UseClientProtocol == true)
            {
                context.Error(at + ".useClientProtocol", "use client protocol must not be true when H2UpgradePolicy is UPGRADE");
            }

            NonNegative(context, http.MaxConcurrentStreams, at + ".maxConcurrentStreams", "max concurrent streams must be non-negative");
            if (http.Http2KeepAlive is { } keepalive)
            {
                var ka = at + ".http2KeepAlive";
                if (keepalive.Interval is null)
                {
                    context.Error(ka, "http2 keepalive interval is required");
                }
                else
                {
                    Duration(context, keepalive.Interval, ka + ".interval");
                }

                if (keepalive.Timeout is null)
                {
                    context.Error(ka, "http2 keepalive timeout is required");
                }
                else
                {
                    Duration(context, keepalive.Timeout, ka + ".timeout");
                }
            }
        }

        if (settings.Tcp is { } tcp)
        {
            var at = path + ".tcp";
            NonNegative(context, tcp.MaxConnections, at + ".maxConnections", "max connections must be non-negative");
            Duration(context, tcp.ConnectTimeout, at + ".connectTimeout");
            Duration(context, tcp.MaxConnectionDuration, at + ".maxConnectionDuration");

            // An idle timeout that truncates to 0ms disables the timeout and is not checked.
            if (tcp.IdleTimeout is { } idle && GoDuration.TryParse(idle, out var idleNanos, out _) && idleNanos / Durations.NanosPerMillisecond != 0)
            {
                Duration(context, idle, at + ".idleTimeout");
            }

            if (tcp.TcpKeepalive is { } keepalive)
            {
                Duration(context, keepalive.Time, at + ".tcpKeepalive.time");
                Duration(context, keepalive.Interval, at + ".tcpKeepalive.interval");
            }
        }
    }

    /// <summary>Istio's <c>ValidateDuration</c>: at least 1ms and whole milliseconds. Unparsable text is left to the schema check.</summary>
    public static void Duration(ValidationContext context, string? text, string path)
    {
        if (text is not null && GoDuration.TryParse(text, out var nanos, out _) && Durations.ValidateNanoseconds(nanos) is { } error)
        {
            context.Error(path, error);
        }
    }

    private static void NonNegative(ValidationContext context, long? value, string path, string message)
    {
        if (value < 0)
        {
            context.Error(path, message);
        }
    }
}
