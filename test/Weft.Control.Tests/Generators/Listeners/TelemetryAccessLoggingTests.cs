using Weft.Control.Generators.Listeners;
using Weft.Control.Model;
using Weft.Xds.Envoy.Config.AccessLog.V3;
using Weft.Xds.Envoy.Config.Listener.V3;
using Weft.Xds.Envoy.Extensions.AccessLoggers.File.V3;
using Weft.Xds.Envoy.Extensions.AccessLoggers.Filters.Cel.V3;
using Weft.Xds.Envoy.Extensions.Filters.Network.HttpConnectionManager.V3;
using Weft.Xds.Envoy.Extensions.Filters.Network.TcpProxy.V3;
using static Weft.Control.Tests.Support.ListenerTestSupport;

namespace Weft.Control.Tests.Generators.Listeners;

/// <summary>
/// Telemetry's <c>accessLogging</c>: which providers log for each side of a proxy once Telemetry resources at the mesh,
/// namespace and workload levels are merged as istiod merges them, and the file logs and CEL filters that reach the
/// proxy's listeners.
/// </summary>
public sealed class TelemetryAccessLoggingTests
{
    private const string Services = AccessLoggingTests.Services + """

        ---
        apiVersion: networking.istio.io/v1
        kind: WorkloadEntry
        metadata: {name: app, namespace: default, labels: {app: test}}
        spec: {address: 10.0.0.1, labels: {app: test}, ports: {http: 9080}}
        ---
        apiVersion: networking.istio.io/v1
        kind: ServiceEntry
        metadata: {name: app, namespace: default}
        spec:
          hosts: [app.default.svc.cluster.local]
          location: MESH_INTERNAL
          resolution: STATIC
          ports: [{number: 9080, name: http, protocol: HTTP}]
          workloadSelector: {labels: {app: test}}
        """;

    private static readonly MeshConfig Mesh = MeshConfigReader.Read("""
        extensionProviders:
        - name: envoy-json
          envoyFileAccessLog:
            path: /var/log/json.log
            logFormat:
              labels: {code: "%RESPONSE_CODE%", path: "%REQ(:PATH)%"}
        - name: custom-text
          envoyFileAccessLog:
            path: /var/log/text.log
            logFormat: {text: "%RESPONSE_CODE%"}
        - name: otel
          envoyOtelAls: {service: otel.default.svc.cluster.local, port: 4317}
        """, "mesh.yaml");

    // Telemetry resources by the short names of the table below; {0} is the namespace.
    private static readonly Dictionary<string, string> Specs = new()
    {
        ["metrics"] = "metrics: [{providers: [{name: prometheus}]}]",
        ["envoy"] = "accessLogging: [{providers: [{name: envoy}]}]",
        ["client"] = "accessLogging: [{match: {mode: CLIENT}, providers: [{name: envoy}]}]",
        ["client-disabled"] = "accessLogging: [{match: {mode: CLIENT}, providers: [{name: envoy}], disabled: true}]",
        ["workload-client"] = "selector: {matchLabels: {app: test}}\n  accessLogging: [{match: {mode: CLIENT}, providers: [{name: envoy}]}]",
        ["server"] = "accessLogging: [{match: {mode: SERVER}, providers: [{name: envoy}]}]",
        ["server-disabled"] = "accessLogging: [{match: {mode: SERVER}, providers: [{name: envoy}], disabled: true}]",
        ["both"] = "accessLogging: [{match: {mode: CLIENT_AND_SERVER}, providers: [{name: envoy}]}]",
        ["json"] = "accessLogging: [{providers: [{name: envoy-json}]}]",
        ["empty"] = "accessLogging: [{}]",
        ["stackdriver"] = "accessLogging: [{providers: [{name: stackdriver}]}]",
        ["disabled"] = "accessLogging: [{disabled: true}]",
        ["unknown"] = "accessLogging: [{providers: [{name: custom-provider}]}]",
        ["multi"] = "accessLogging: [{providers: [{name: envoy}]}, {providers: [{name: envoy-json}]}]",
        ["multi-disabled"] = "accessLogging: [{providers: [{name: envoy}]}, {providers: [{name: envoy-json}], disabled: true}]",
        ["multi-providers"] = "accessLogging: [{providers: [{name: envoy}, {name: envoy-json}]}, {providers: [{name: envoy}]}]",
        ["server-then-both"] = "accessLogging: [{match: {mode: SERVER}, providers: [{name: envoy}]}, {match: {mode: CLIENT_AND_SERVER}, providers: [{name: envoy}]}]",
        ["server-then-both-disabled"] = "accessLogging: [{match: {mode: SERVER}, providers: [{name: envoy}]}, {match: {mode: CLIENT_AND_SERVER}, providers: [{name: envoy}], disabled: true}]",
        ["split"] = "accessLogging: [{match: {mode: SERVER}, providers: [{name: envoy}]}, {match: {mode: CLIENT}, providers: [{name: envoy-json}]}]",
        ["otel"] = "accessLogging: [{providers: [{name: otel}]}]",
    };

    /// <summary>
    /// Telemetries as <c>ns/spec</c> (names as <see cref="Specs"/>; the first in a namespace is its namespace-wide one),
    /// the side, the mesh's default providers, and the providers that log (null: Telemetry configures nothing, so mesh
    /// <c>accessLogFile</c> decides).
    /// </summary>
    [Theory]
    [InlineData("", "client", "", null)]
    [InlineData("istio-system/metrics", "client", "", null)]
    [InlineData("default/metrics", "client", "", null)]
    [InlineData("", "client", "envoy", "envoy")]
    [InlineData("istio-system/envoy", "client", "", "envoy")]
    [InlineData("istio-system/client", "client", "", "envoy")]
    [InlineData("istio-system/client", "server", "", "")]
    [InlineData("istio-system/client default/server-disabled", "client", "", "envoy")]
    [InlineData("istio-system/client default/client-disabled", "client", "", "")]
    [InlineData("istio-system/client default/client-disabled default/workload-client", "client", "", "envoy")]
    [InlineData("istio-system/server", "server", "", "envoy")]
    [InlineData("istio-system/server", "client", "", "")]
    [InlineData("istio-system/both", "server", "", "envoy")]
    [InlineData("istio-system/both", "client", "", "envoy")]
    [InlineData("istio-system/envoy", "client", "stackdriver", "envoy")]
    [InlineData("istio-system/envoy default/json", "client", "", "envoy-json")]
    [InlineData("istio-system/envoy default/empty", "client", "", "envoy")]
    [InlineData("istio-system/envoy default/stackdriver", "client", "", "")]
    [InlineData("istio-system/json", "client", "", "envoy-json")]
    [InlineData("istio-system/envoy default/disabled", "client", "", "")]
    [InlineData("default/disabled", "client", "envoy", "")]
    [InlineData("default/unknown", "client", "envoy", "")]
    [InlineData("istio-system/server-then-both", "client", "", "envoy")]
    [InlineData("istio-system/server-then-both-disabled", "client", "", "")]
    [InlineData("istio-system/envoy default/multi", "client", "", "envoy envoy-json")]
    [InlineData("istio-system/envoy default/multi-disabled", "client", "", "envoy")]
    [InlineData("istio-system/envoy default/multi-providers", "client", "", "envoy envoy-json")]
    [InlineData("istio-system/split", "server", "", "envoy")]
    [InlineData("istio-system/split", "client", "", "envoy-json")]
    [InlineData("istio-system/otel", "client", "", "")]
    public void Providers_in_force_merge_as_istiod_merges_them(string telemetries, string side, string defaults, string? expected)
    {
        var push = NewPush(Services + Telemetries(telemetries), Mesh with
        {
            DefaultProviders = new DefaultProviders { AccessLogging = defaults.Split(' ', StringSplitOptions.RemoveEmptyEntries) },
        });
        var proxy = Sidecar(labels: new Dictionary<string, string> { ["app"] = "test" }, push: push);

        var configs = TelemetryLogging.For(push, proxy, side == "server" ? WorkloadMode.Server : WorkloadMode.Client);

        Assert.Equal(expected, configs is null ? null : string.Join(' ', configs.Where(c => !c.Disabled).Select(c => c.Provider)));
    }

    [Fact]
    public void Mesh_wide_envoy_provider_logs_every_manager_and_TCP_proxy_to_standard_output_in_the_mesh_format()
    {
        var push = NewPush(Services + Telemetries("istio-system/envoy"), Mesh with { AccessLogFormat = "%RESPONSE_CODE% %ROUTE_NAME%" });
        var proxy = Sidecar(push: push);

        var http = Hcm(ListenerOf(proxy, push, "0.0.0.0_8080").FilterChains.First(c => Hcm(c) is not null))!;
        var log = Assert.Single(http.AccessLog);
        var file = log.TypedConfig.Unpack<FileAccessLog>();
        Assert.Equal(("envoy.access_loggers.file", "/dev/stdout", "%RESPONSE_CODE% %ROUTE_NAME%\n", (AccessLogFilter?)null),
            (log.Name, file.Path, file.LogFormat.TextFormatSource.InlineString, log.Filter));
        Assert.Equal("/dev/stdout", Assert.Single(Tcp(Assert.Single(ListenerOf(proxy, push, "10.0.0.9_3306").FilterChains))!.AccessLog).TypedConfig.Unpack<FileAccessLog>().Path);
        Assert.All(ListenersOf(proxy, push), l => Assert.Equal(["NR"], Assert.Single(l.AccessLog).Filter.ResponseFlagFilter.Flags));
    }

    [Fact]
    public void A_providers_own_format_and_path_reach_the_proxy_and_a_namespace_can_switch_logging_off()
    {
        var push = NewPush(Services + Telemetries("istio-system/json other/disabled"), Mesh);

        var json = Assert.Single(Hcm(ListenerOf(Sidecar(push: push), push, "0.0.0.0_8080").FilterChains.First(c => Hcm(c) is not null))!.AccessLog)
            .TypedConfig.Unpack<FileAccessLog>();
        Assert.Equal("/var/log/json.log", json.Path);
        Assert.Equal(["code", "path"], json.LogFormat.JsonFormat.Fields.Keys.Order());
        Assert.All(ListenersOf(Sidecar(ns: "other", push: push), push), l => Assert.Empty(Logs(l)));
    }

    [Fact]
    public void A_filter_expression_becomes_a_CEL_filter_and_listener_logs_require_NR_as_well()
    {
        const string filtered = """
            ---
            apiVersion: telemetry.istio.io/v1
            kind: Telemetry
            metadata: {name: errors, namespace: default}
            spec:
              selector: {matchLabels: {app: test}}
              accessLogging:
              - match: {mode: SERVER}
                providers: [{name: custom-text}]
                filter: {expression: "response.code >= 400"}
            """;
        var push = NewPush(Services + Telemetries("istio-system/client") + filtered, Mesh);
        var proxy = Sidecar(labels: new Dictionary<string, string> { ["app"] = "test" }, push: push);
        var listeners = ListenersOf(proxy, push);

        var inbound = listeners.Single(l => l.TrafficDirection == Weft.Xds.Envoy.Config.Core.V3.TrafficDirection.Inbound);
        var chainLogs = Chains(inbound).SelectMany(c => c.Filters).SelectMany(FilterLogs).ToArray();
        Assert.NotEmpty(chainLogs);
        Assert.All(chainLogs, log =>
        {
            Assert.Equal("/var/log/text.log", log.TypedConfig.Unpack<FileAccessLog>().Path);
            Assert.Equal("response.code >= 400", Cel(log.Filter));
        });
        var listenerLog = Assert.Single(inbound.AccessLog);
        Assert.Equal(2, listenerLog.Filter.AndFilter.Filters.Count);
        Assert.Equal(["NR"], listenerLog.Filter.AndFilter.Filters[0].ResponseFlagFilter.Flags);
        Assert.Equal("response.code >= 400", Cel(listenerLog.Filter.AndFilter.Filters[1]));

        // The outbound side keeps the mesh-wide client logging, unfiltered.
        var outbound = Hcm(ListenerOf(proxy, push, "0.0.0.0_8080").FilterChains.First(c => Hcm(c) is not null))!;
        var log = Assert.Single(outbound.AccessLog);
        Assert.Equal(("/dev/stdout", (AccessLogFilter?)null), (log.TypedConfig.Unpack<FileAccessLog>().Path, log.Filter));
    }

    [Fact]
    public void Where_Telemetry_names_no_provider_for_a_side_accessLogFile_still_logs_it_and_disableEnvoyListenerLog_drops_listener_logs()
    {
        var push = NewPush(Services + Telemetries("istio-system/client"), Mesh with { AccessLogFile = "/var/log/mesh.log", DisableEnvoyListenerLog = true });
        var proxy = Sidecar(push: push);
        var listeners = ListenersOf(proxy, push);

        var inbound = listeners.Single(l => l.TrafficDirection == Weft.Xds.Envoy.Config.Core.V3.TrafficDirection.Inbound);
        Assert.All(Chains(inbound).SelectMany(c => c.Filters).SelectMany(FilterLogs), l => Assert.Equal("/var/log/mesh.log", l.TypedConfig.Unpack<FileAccessLog>().Path));
        var outbound = Assert.Single(Hcm(ListenerOf(proxy, push, "0.0.0.0_8080").FilterChains.First(c => Hcm(c) is not null))!.AccessLog);
        Assert.Equal("/dev/stdout", outbound.TypedConfig.Unpack<FileAccessLog>().Path);
        Assert.All(listeners, l => Assert.Empty(l.AccessLog));
    }

    [Fact]
    public void Proxies_of_one_namespace_that_a_workload_Telemetry_tells_apart_get_their_own_outbound_logs()
    {
        var push = NewPush(Services + Telemetries("default/workload-client"), Mesh);

        var selected = Hcm(ListenerOf(Sidecar(labels: new Dictionary<string, string> { ["app"] = "test" }, push: push), push, "0.0.0.0_8080").FilterChains.First(c => Hcm(c) is not null))!;
        var other = Hcm(ListenerOf(Sidecar(ip: "10.0.0.2", name: "other", labels: new Dictionary<string, string> { ["app"] = "other" }, push: push), push, "0.0.0.0_8080").FilterChains.First(c => Hcm(c) is not null))!;

        Assert.Single(selected.AccessLog);
        Assert.Empty(other.AccessLog);
    }

    [Fact]
    public void The_mesh_reads_default_providers_file_providers_and_the_listener_log_switch()
    {
        var mesh = MeshConfigReader.Read("""
            disableEnvoyListenerLog: true
            defaultProviders: {accessLogging: [envoy], metrics: [prometheus]}
            extensionProviders:
            - name: text
              envoyFileAccessLog: {path: /tmp/a.log, logFormat: {text: "%PROTOCOL%"}, omitEmptyValues: true}
            """, "mesh.yaml");

        Assert.True(mesh.DisableEnvoyListenerLog);
        Assert.Equal(["envoy"], mesh.DefaultProviders.AccessLogging);
        Assert.Equal(new FileAccessLogProvider { Path = "/tmp/a.log", Text = "%PROTOCOL%", OmitEmptyValues = true }, Assert.Single(mesh.ExtensionProviders).EnvoyFileAccessLog);
        var error = Assert.Throws<FormatException>(() => MeshConfigReader.Read("extensionProviders: [{name: x, envoyFileAccessLog: {logFormat: {text: a, labels: {b: c}}}}]", "mesh.yaml"));
        Assert.Contains("extensionProviders[0].envoyFileAccessLog.logFormat: give text or labels, not both", error.Message);
    }

    private static string Telemetries(string spec)
    {
        var text = new System.Text.StringBuilder();
        var index = 0;
        foreach (var item in spec.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var (ns, name) = (item[..item.IndexOf('/')], item[(item.IndexOf('/') + 1)..]);
            text.Append($"\n---\napiVersion: telemetry.istio.io/v1\nkind: Telemetry\nmetadata: {{name: t{index++}-{name}, namespace: {ns}}}\nspec:\n  {Specs[name]}\n");
        }

        return text.ToString();
    }

    private static string Cel(AccessLogFilter filter)
    {
        Assert.Equal(AccessLogging.CelFilterName, filter.ExtensionFilter.Name);
        return filter.ExtensionFilter.TypedConfig.Unpack<ExpressionFilter>().Expression;
    }

    private static IEnumerable<FilterChain> Chains(Listener listener) =>
        listener.DefaultFilterChain is { } fallback ? listener.FilterChains.Append(fallback) : listener.FilterChains;

    private static IEnumerable<AccessLog> Logs(Listener listener) =>
        listener.AccessLog.Concat(Chains(listener).SelectMany(c => c.Filters).SelectMany(FilterLogs));

    private static IEnumerable<AccessLog> FilterLogs(Filter filter) => filter.TypedConfig switch
    {
        { } a when a.Is(HttpConnectionManager.Descriptor) => a.Unpack<HttpConnectionManager>().AccessLog,
        { } a when a.Is(TcpProxy.Descriptor) => a.Unpack<TcpProxy>().AccessLog,
        _ => [],
    };
}
