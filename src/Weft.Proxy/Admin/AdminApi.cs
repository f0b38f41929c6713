using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Weft.Proxy.Snapshot;
using Weft.Proxy.Http;
using Weft.Proxy.Snapshot.Clusters;
using Weft.Proxy.Telemetry;
using Weft.Proxy.Telemetry.Metrics;
using Weft.Proxy.Upstream;
using Weft.Proxy.Xds;
using Weft.Xds.Envoy.Config.Core.V3;

namespace Weft.Proxy.Admin;

/// <summary>
/// Envoy's admin endpoints that tools and people use on a sidecar: <c>/ready</c>, <c>/config_dump</c>,
/// <c>/listeners</c> and <c>/clusters</c> (text, or JSON with <c>?format=json</c>), <c>/stats/prometheus</c>, and
/// <c>/quitquitquit</c> (POST).
/// </summary>
internal sealed class AdminApi(SnapshotState state, RequestTelemetry telemetry, Func<XdsConnectionStatus> xds, Func<bool> draining, Action stop, UpstreamTransports? transports = null, Identity.SecretStore? secrets = null, Tls.TlsCounters? tlsCounters = null)
{
    private static readonly string[] Commands =
    [
        "/clusters: upstream clusters and their endpoints (?format=json)",
        "/config_dump: the configuration in force, as Envoy dumps it",
        "/listeners: listeners and their addresses (?format=json)",
        "/quitquitquit: stop the proxy (POST)",
        "/ready: LIVE once a complete configuration is in force",
        "/stats/prometheus: Istio's standard metrics in Prometheus' text format",
    ];

    public Task HandleAsync(HttpContext context)
    {
        var json = string.Equals(context.Request.Query["format"], "json", StringComparison.Ordinal);
        return context.Request.Path.Value switch
        {
            "/ready" => ReadyAsync(context),
            "/config_dump" => WriteAsync(context, 200, "application/json", ConfigDumpBuilder.Json(state.Current, state.Latest, secrets)),
            "/listeners" => json ? WriteAsync(context, 200, "application/json", ListenersJson()) : WriteAsync(context, 200, "text/plain", ListenersText()),
            "/clusters" => json ? WriteAsync(context, 200, "application/json", ClustersJson()) : WriteAsync(context, 200, "text/plain", ClustersText()),
            "/quitquitquit" => QuitAsync(context),
            "/stats/prometheus" => PrometheusAsync(context),
            _ => WriteAsync(context, 404, "text/plain", "invalid path. admin commands are:\n  " + string.Join("\n  ", Commands) + "\n"),
        };
    }

    /// <summary>Envoy's server state: LIVE, INITIALIZING while the first configuration is incomplete, DRAINING when stopping.</summary>
    private Task ReadyAsync(HttpContext context)
    {
        if (draining())
        {
            return WriteAsync(context, 503, "text/plain", "DRAINING\n");
        }

        return state.IsReady && secrets?.HasIdentity != false ? WriteAsync(context, 200, "text/plain", "LIVE\n") : WriteAsync(context, 503, "text/plain", "INITIALIZING\n");
    }

    private Task QuitAsync(HttpContext context)
    {
        if (!HttpMethods.IsPost(context.Request.Method))
        {
            return WriteAsync(context, 405, "text/plain", "This endpoint requires POST\n");
        }

        context.Response.OnCompleted(() =>
        {
            stop();
            return Task.CompletedTask;
        });
        return WriteAsync(context, 200, "text/plain", "OK\n");
    }

    /// <summary>istio-agent's <c>/healthz/ready</c>: 200 once ready; otherwise 503 saying what is missing.</summary>
    public Task HealthAsync(HttpContext context)
    {
        if (context.Request.Path.Value != "/healthz/ready")
        {
            return WriteAsync(context, 404, "text/plain", "not found: the health endpoint is /healthz/ready\n");
        }

        if (draining())
        {
            return WriteAsync(context, 503, "text/plain", "not ready: the proxy is stopping\n");
        }

        var identity = secrets?.HasIdentity != false;
        if (state.IsReady && identity)
        {
            return WriteAsync(context, 200, "text/plain", string.Empty);
        }

        var reasons = state.Missing.ToList();
        if (!identity)
        {
            reasons.Add("no workload certificate yet (secret default)");
        }

        if (xds() is { Connected: false, LastError: { } error })
        {
            reasons.Add(error);
        }

        return WriteAsync(context, 503, "text/plain", "not ready: " + string.Join("; ", reasons) + "\n");
    }

    /// <summary>The stats port (Istio's merged metrics, 15020): <c>/stats/prometheus</c>.</summary>
    public Task StatsAsync(HttpContext context) => context.Request.Path.Value == "/stats/prometheus"
        ? PrometheusAsync(context)
        : WriteAsync(context, 404, "text/plain", "not found: the metrics are at /stats/prometheus\n");

    private Task PrometheusAsync(HttpContext context)
    {
        var text = new StringBuilder(4096);
        telemetry.Metrics.Render(text);
        Authorization.AuthorizationStats.Render(text, state.Current);
        tlsCounters?.Render(text);
        ClusterStats(text);
        text.Append("# TYPE weft_access_log_dropped_total counter\n")
            .Append("weft_access_log_dropped_total ").Append(telemetry.Logs.Dropped).Append('\n');
        return WriteAsync(context, 200, PrometheusText.ContentType, text.ToString());
    }

    /// <summary>Envoy's cluster counters, per cluster of the configuration in force: <c>envoy_cluster_upstream_cx_overflow{cluster_name=...}</c>.</summary>
    private void ClusterStats(StringBuilder text)
    {
        var clusters = Clusters().ToList();
        if (clusters.Count == 0)
        {
            return;
        }

        text.Append("# TYPE envoy_cluster_upstream_cx_overflow counter\n");
        foreach (var cluster in clusters)
        {
            PrometheusText.AppendLabel(text.Append("envoy_cluster_upstream_cx_overflow{"), "cluster_name", cluster.Model.Name)
                .Append("} ").Append(cluster.State.ConnectionOverflows.ToString(CultureInfo.InvariantCulture)).Append('\n');
        }
    }

    private string ListenersText()
    {
        var text = new StringBuilder();
        foreach (var listener in state.Current?.Listeners ?? [])
        {
            text.Append(listener.Name).Append("::").Append(listener.Where).Append('\n');
        }

        return text.ToString();
    }

    private string ListenersJson() => Json(writer =>
    {
        writer.WriteStartArray("listener_statuses");
        foreach (var listener in state.Current?.Listeners ?? [])
        {
            writer.WriteStartObject();
            writer.WriteString("name", listener.Name);
            writer.WriteStartObject("local_address");
            if (listener.Pipe is { } pipe)
            {
                writer.WriteStartObject("pipe");
                writer.WriteString("path", pipe);
                writer.WriteEndObject();
            }
            else
            {
                SocketAddress(writer, listener.Address.ToString(), listener.Port);
            }

            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    });

    /// <summary>
    /// Envoy's text format: per cluster its outlier detection's success-rate figures, its circuit-breaker thresholds and
    /// origin; per host its connection and request counters, host name, health flags (with
    /// <c>/failed_outlier_check</c> for an ejected host), weight, locality, priority and success rates.
    /// </summary>
    private string ClustersText()
    {
        var text = new StringBuilder();
        foreach (var cluster in Clusters())
        {
            var name = cluster.Model.Name;
            text.Append(name).Append("::observability_name::").Append(name).Append('\n');
            if (cluster.State.Outlier is { } outlier)
            {
                text.Append(name).Append("::outlier::success_rate_average::").Append(Number(outlier.SuccessRate.Average)).Append('\n');
                text.Append(name).Append("::outlier::success_rate_ejection_threshold::").Append(Number(outlier.SuccessRate.Threshold)).Append('\n');
                text.Append(name).Append("::outlier::local_origin_success_rate_average::").Append(Number(outlier.LocalOriginSuccessRate.Average)).Append('\n');
                text.Append(name).Append("::outlier::local_origin_success_rate_ejection_threshold::").Append(Number(outlier.LocalOriginSuccessRate.Threshold)).Append('\n');
            }

            foreach (var (key, value) in Thresholds(cluster.Model.Limits))
            {
                text.Append(name).Append("::default_priority::").Append(key).Append("::").Append(value.ToString(CultureInfo.InvariantCulture)).Append('\n');
            }

            text.Append(name).Append("::added_via_api::true\n");
            var connections = transports?.Connections(name);
            foreach (var endpoint in cluster.Hosts)
            {
                var host = endpoint.Host;
                var prefix = $"{name}::{host.Display}::";
                foreach (var (key, value) in Stats(endpoint, connections))
                {
                    text.Append(prefix).Append(key).Append("::").Append(value.ToString(CultureInfo.InvariantCulture)).Append('\n');
                }

                text.Append(prefix).Append("hostname::").Append(host.Hostname).Append('\n');
                text.Append(prefix).Append("health_flags::").Append(HealthFlags(endpoint)).Append('\n');
                text.Append(prefix).Append("weight::").Append(host.Weight.ToString(CultureInfo.InvariantCulture)).Append('\n');
                text.Append(prefix).Append("region::").Append(host.Region).Append('\n');
                text.Append(prefix).Append("zone::").Append(host.Zone).Append('\n');
                text.Append(prefix).Append("sub_zone::").Append(host.SubZone).Append('\n');
                text.Append(prefix).Append("canary::false\n");
                text.Append(prefix).Append("priority::").Append(host.Priority.ToString(CultureInfo.InvariantCulture)).Append('\n');
                text.Append(prefix).Append("success_rate::").Append(Number(endpoint.State.SuccessRate)).Append('\n');
                text.Append(prefix).Append("local_origin_success_rate::").Append(Number(endpoint.State.LocalOriginSuccessRate)).Append('\n');
            }
        }

        return text.ToString();
    }

    /// <summary>A host's counters as Envoy lists them: connections, then requests.</summary>
    private static IEnumerable<(string Name, long Value)> Stats(UpstreamEndpoint endpoint, ConnectionCounter? connections)
    {
        var pool = connections?.Find(endpoint.Authority);
        var state = endpoint.State;
        yield return ("cx_active", pool?.Active ?? 0);
        yield return ("cx_connect_fail", pool?.ConnectFailures ?? 0);
        yield return ("cx_total", pool?.Total ?? 0);
        yield return ("rq_active", state.ActiveRequests);
        yield return ("rq_error", state.FailedRequests);
        yield return ("rq_success", state.SuccessfulRequests);
        yield return ("rq_timeout", state.TimedOutRequests);
        yield return ("rq_total", state.TotalRequests);
    }

    private static IEnumerable<(string Name, long Value)> Thresholds(CircuitBreakerLimits limits)
    {
        yield return ("max_connections", limits.MaxConnections);
        yield return ("max_pending_requests", limits.MaxPendingRequests);
        yield return ("max_requests", limits.MaxRequests);
        yield return ("max_retries", limits.MaxRetries);
    }

    private static string Number(double value) => value.ToString(CultureInfo.InvariantCulture);

    private string ClustersJson() => Json(writer =>
    {
        writer.WriteStartArray("cluster_statuses");
        foreach (var cluster in Clusters())
        {
            writer.WriteStartObject();
            writer.WriteString("name", cluster.Model.Name);
            writer.WriteBoolean("added_via_api", true);
            writer.WriteStartObject("circuit_breakers");
            writer.WriteStartArray("thresholds");
            writer.WriteStartObject();
            foreach (var (key, value) in Thresholds(cluster.Model.Limits))
            {
                writer.WriteNumber(key, value);
            }

            writer.WriteEndObject();
            writer.WriteEndArray();
            writer.WriteEndObject();
            writer.WriteStartArray("host_statuses");
            var connections = transports?.Connections(cluster.Model.Name);
            foreach (var endpoint in cluster.Hosts)
            {
                var host = endpoint.Host;
                writer.WriteStartObject();
                writer.WriteStartObject("address");
                SocketAddress(writer, host.Address, host.Port);
                writer.WriteEndObject();
                writer.WriteStartArray("stats");
                foreach (var (key, value) in Stats(endpoint, connections))
                {
                    writer.WriteStartObject();
                    writer.WriteString("name", key);
                    writer.WriteString("type", key.EndsWith("_active", StringComparison.Ordinal) ? "GAUGE" : "COUNTER");
                    writer.WriteString("value", value.ToString(CultureInfo.InvariantCulture));
                    writer.WriteEndObject();
                }

                writer.WriteEndArray();
                writer.WriteStartObject("health_status");
                writer.WriteString("eds_health_status", (host.Health == HealthStatus.Unknown ? HealthStatus.Healthy : host.Health).ToString().ToUpperInvariant());
                if (endpoint.State.Ejected)
                {
                    writer.WriteBoolean("failed_outlier_check", true);
                }

                writer.WriteEndObject();
                writer.WriteNumber("weight", host.Weight);
                writer.WriteStartObject("locality");
                writer.WriteString("region", host.Region);
                writer.WriteString("zone", host.Zone);
                writer.WriteString("sub_zone", host.SubZone);
                writer.WriteEndObject();
                writer.WriteNumber("priority", host.Priority);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    });

    private IEnumerable<ClusterRuntime> Clusters() =>
        (state.Current?.Clusters.Values ?? []).OrderBy(c => c.Model.Name, StringComparer.Ordinal);

    /// <summary>Envoy's health flags for a host: outlier ejection, then EDS health; <c>healthy</c> when none is set.</summary>
    private static string HealthFlags(UpstreamEndpoint endpoint)
    {
        var eds = endpoint.Host.Health switch
        {
            HealthStatus.Healthy or HealthStatus.Unknown => string.Empty,
            HealthStatus.Degraded => "/degraded_eds_health",
            _ => "/failed_eds_health",
        };
        var flags = (endpoint.State.Ejected ? "/failed_outlier_check" : string.Empty) + eds;
        return flags.Length == 0 ? "healthy" : flags;
    }

    private static void SocketAddress(Utf8JsonWriter writer, string address, int port)
    {
        writer.WriteStartObject("socket_address");
        writer.WriteString("address", address);
        writer.WriteNumber("port_value", port);
        writer.WriteEndObject();
    }

    private static string Json(Action<Utf8JsonWriter> body)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            writer.WriteStartObject();
            body(writer);
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static async Task WriteAsync(HttpContext context, int status, string contentType, string body)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        context.Response.StatusCode = status;
        context.Response.ContentType = contentType;
        context.Response.ContentLength = bytes.Length;
        await context.Response.Body.WriteAsync(bytes).ConfigureAwait(false);
    }
}
