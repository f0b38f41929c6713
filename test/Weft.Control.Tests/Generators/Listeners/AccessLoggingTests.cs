using Weft.Control.Model;
using Weft.Xds.Envoy.Config.AccessLog.V3;
using Weft.Xds.Envoy.Config.Listener.V3;
using Weft.Xds.Envoy.Extensions.AccessLoggers.File.V3;
using static Weft.Control.Tests.Support.ListenerTestSupport;

namespace Weft.Control.Tests.Generators.Listeners;

/// <summary>Mesh <c>accessLogFile</c>: istiod's file access logs on every connection manager, TCP proxy and listener.</summary>
public sealed class AccessLoggingTests
{
    /// <summary>An HTTP service and a TCP service in <c>default</c>, each with one endpoint (shared by the telemetry tests).</summary>
    internal const string Services = """
        apiVersion: networking.istio.io/v1
        kind: ServiceEntry
        metadata: {name: web, namespace: default}
        spec:
          hosts: [web.default.svc.cluster.local]
          addresses: [10.0.0.8]
          location: MESH_INTERNAL
          resolution: STATIC
          ports: [{number: 8080, name: http, protocol: HTTP}]
          endpoints: [{address: 10.1.0.2}]
        ---
        apiVersion: networking.istio.io/v1
        kind: ServiceEntry
        metadata: {name: mysql, namespace: default}
        spec:
          hosts: [mysql.default.svc.cluster.local]
          addresses: [10.0.0.9]
          location: MESH_INTERNAL
          resolution: STATIC
          ports: [{number: 3306, name: tcp, protocol: TCP}]
          endpoints: [{address: 10.1.0.3}]
        """;

    [Fact]
    public void Without_accessLogFile_no_listener_has_an_access_log()
    {
        var listeners = ListenersOf(Sidecar(), NewPush(Services));

        Assert.All(listeners, l => Assert.Empty(Logs(l)));
    }

    [Fact]
    public void With_accessLogFile_every_manager_and_TCP_proxy_logs_in_Istios_text_format_and_listeners_log_unmatched_connections()
    {
        var push = NewPush(Services, MeshConfig.Default with { AccessLogFile = "/dev/stdout" });
        var listeners = ListenersOf(Sidecar(), push);

        var http = Hcm(ListenerOf(Sidecar(), push, "0.0.0.0_8080").FilterChains.First(c => Hcm(c) is not null))!;
        var log = Assert.Single(http.AccessLog);
        var file = log.TypedConfig.Unpack<FileAccessLog>();
        Assert.Equal(("envoy.access_loggers.file", "/dev/stdout"), (log.Name, file.Path));
        Assert.Equal(Weft.Xds.IstioAccessLogFormats.Text, file.LogFormat.TextFormatSource.InlineString);
        Assert.Null(log.Filter);

        var tcp = Tcp(Assert.Single(ListenerOf(Sidecar(), push, "10.0.0.9_3306").FilterChains))!;
        Assert.Equal("/dev/stdout", Assert.Single(tcp.AccessLog).TypedConfig.Unpack<FileAccessLog>().Path);

        // Every filter of every listener logs, and each listener logs the connections no chain takes (NR).
        Assert.All(listeners, l =>
        {
            Assert.Equal(["NR"], Assert.Single(l.AccessLog).Filter.ResponseFlagFilter.Flags);
            Assert.All(Chains(l).SelectMany(c => c.Filters).Where(f => f.TypedConfig is { } a && (a.Is(Weft.Xds.Envoy.Extensions.Filters.Network.HttpConnectionManager.V3.HttpConnectionManager.Descriptor) || a.Is(Weft.Xds.Envoy.Extensions.Filters.Network.TcpProxy.V3.TcpProxy.Descriptor))),
                f => Assert.Single(FilterLogs(f)));
        });
    }

    [Fact]
    public void Json_encoding_uses_Istios_default_keys_or_the_mesh_format_and_a_text_format_gets_its_line_feed()
    {
        var json = Hcm(ListenerOf(Sidecar(), NewPush(Services, MeshConfig.Default with { AccessLogFile = "/var/log/mesh.log", AccessLogJson = true }), "0.0.0.0_8080").FilterChains.First(c => Hcm(c) is not null))!;
        var fields = Assert.Single(json.AccessLog).TypedConfig.Unpack<FileAccessLog>().LogFormat.JsonFormat.Fields;
        Assert.Equal("%RESPONSE_CODE%", fields["response_code"].StringValue);
        Assert.Equal(Weft.Xds.IstioAccessLogFormats.Json.Count, fields.Count);

        var custom = Hcm(ListenerOf(Sidecar(), NewPush(Services, MeshConfig.Default with { AccessLogFile = "/var/log/mesh.log", AccessLogJson = true, AccessLogFormat = """{"code": "%RESPONSE_CODE%"}""" }), "0.0.0.0_8080").FilterChains.First(c => Hcm(c) is not null))!;
        Assert.Equal(["code"], Assert.Single(custom.AccessLog).TypedConfig.Unpack<FileAccessLog>().LogFormat.JsonFormat.Fields.Keys);

        var text = Hcm(ListenerOf(Sidecar(), NewPush(Services, MeshConfig.Default with { AccessLogFile = "/var/log/mesh.log", AccessLogFormat = "%RESPONSE_CODE% %UPSTREAM_CLUSTER%" }), "0.0.0.0_8080").FilterChains.First(c => Hcm(c) is not null))!;
        Assert.Equal("%RESPONSE_CODE% %UPSTREAM_CLUSTER%\n", Assert.Single(text.AccessLog).TypedConfig.Unpack<FileAccessLog>().LogFormat.TextFormatSource.InlineString);
    }

    [Fact]
    public void A_second_generation_from_the_same_push_adds_no_second_log()
    {
        var push = NewPush(Services, MeshConfig.Default with { AccessLogFile = "/dev/stdout" });
        _ = ListenersOf(Sidecar(), push);

        var again = ListenerOf(Sidecar(), push, "0.0.0.0_8080");
        Assert.Single(again.AccessLog);
        Assert.Single(Hcm(again.FilterChains.First(c => Hcm(c) is not null))!.AccessLog);
    }

    private static IEnumerable<FilterChain> Chains(Listener listener) =>
        listener.DefaultFilterChain is { } fallback ? listener.FilterChains.Append(fallback) : listener.FilterChains;

    private static IEnumerable<AccessLog> Logs(Listener listener) =>
        listener.AccessLog.Concat(Chains(listener).SelectMany(c => c.Filters).SelectMany(FilterLogs));

    private static IEnumerable<AccessLog> FilterLogs(Filter filter) => filter.TypedConfig switch
    {
        { } a when a.Is(Weft.Xds.Envoy.Extensions.Filters.Network.HttpConnectionManager.V3.HttpConnectionManager.Descriptor) =>
            a.Unpack<Weft.Xds.Envoy.Extensions.Filters.Network.HttpConnectionManager.V3.HttpConnectionManager>().AccessLog,
        { } a when a.Is(Weft.Xds.Envoy.Extensions.Filters.Network.TcpProxy.V3.TcpProxy.Descriptor) =>
            a.Unpack<Weft.Xds.Envoy.Extensions.Filters.Network.TcpProxy.V3.TcpProxy>().AccessLog,
        _ => [],
    };
}
