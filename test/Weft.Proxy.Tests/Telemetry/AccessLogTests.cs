using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Google.Protobuf.WellKnownTypes;
using Weft.Proxy.Telemetry.AccessLog;
using Weft.Proxy.Tests.Support;
using Weft.Xds.Envoy.Config.Core.V3;
using Weft.Xds.Envoy.Config.Listener.V3;
using Weft.Xds.Envoy.Extensions.AccessLoggers.File.V3;
using Hcm = Weft.Xds.Envoy.Extensions.Filters.Network.HttpConnectionManager.V3.HttpConnectionManager;

namespace Weft.Proxy.Tests.Telemetry;

/// <summary>The access log as Istio's mesh config switches it on: a file (or standard output), Istio's text or JSON format.</summary>
public sealed partial class AccessLogTests : IDisposable
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(30);

    private readonly string _directory = Directory.CreateTempSubdirectory("weft-access-log-").FullName;

    [Fact]
    public async Task A_request_is_logged_in_Istios_text_format_with_its_response_flags()
    {
        await using var backend = await Backend.StartAsync("v1");
        await using var plane = await ScriptedControlPlane.StartAsync(MetricsTests.Canary(backend.Port, backend.Port));
        var path = Path.Combine(_directory, "access.log");
        await using var proxy = await RunningProxy.StartAsync(plane.Address, o => o with { AccessLogPath = path });

        using (var ok = await proxy.GetAsync(CanaryMesh.Host, "/products?page=2", ("user-agent", "weft-test/1.0"), ("x-request-id", "req-1")))
        {
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }

        using (var missing = await proxy.GetAsync("unknown.example:9999", "/nowhere", ("x-request-id", "req-2")))
        {
            Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        }

        await proxy.Host.Telemetry.Logs.Written.WhenAtLeastAsync(2).WaitAsync(Generous);
        var lines = (await File.ReadAllLinesAsync(path)).Select(Parse).ToDictionary(l => l["id"]);

        var served = lines["req-1"];
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", served["start"]);
        Assert.Equal("GET", served["method"]);
        Assert.Equal("/products?page=2", served["path"]);
        Assert.Equal("HTTP/1.1", served["protocol"]);
        Assert.Equal("200", served["code"]);
        Assert.Equal("-", served["flags"]);
        Assert.Equal("via_upstream", served["details"]);
        Assert.Equal("0", served["received"]);
        Assert.Equal("2", served["sent"]);
        Assert.Matches(@"^\d+$", served["upstreamTime"]);
        Assert.Equal("weft-test/1.0", served["agent"]);
        Assert.Equal(CanaryMesh.Host, served["authority"]);
        Assert.Equal($"127.0.0.1:{backend.Port}", served["upstream"]);
        Assert.StartsWith("outbound|8080|v", served["cluster"]);
        Assert.Equal(proxy.Host.OutboundEndpoint.ToString(), served["local"]);
        Assert.StartsWith("127.0.0.1:", served["remote"]);
        Assert.Equal("canary-split", served["route"]);

        var refused = lines["req-2"];
        Assert.Equal("404", refused["code"]);
        Assert.Equal("NR", refused["flags"]);
        Assert.Equal("route_not_found", refused["details"]);
        Assert.Equal("-", refused["upstream"]);
        Assert.Equal("-", refused["cluster"]);
    }

    [Fact]
    public async Task JSON_encoding_writes_Istios_default_keys_with_typed_values()
    {
        await using var backend = await Backend.StartAsync("v1");
        await using var plane = await ScriptedControlPlane.StartAsync(MetricsTests.Canary(backend.Port, backend.Port));
        var path = Path.Combine(_directory, "access.json");
        await using var proxy = await RunningProxy.StartAsync(plane.Address, o => o with { AccessLogPath = path, AccessLogEncoding = AccessLogEncoding.Json });

        using (await proxy.GetAsync(CanaryMesh.Host, "/products"))
        {
        }

        await proxy.Host.Telemetry.Logs.Written.WhenAtLeastAsync(1).WaitAsync(Generous);
        using var line = JsonDocument.Parse(Assert.Single(await File.ReadAllLinesAsync(path)));
        var entry = line.RootElement;
        Assert.Equal(
            ["authority", "bytes_received", "bytes_sent", "connection_termination_details", "downstream_local_address", "downstream_remote_address",
             "duration", "method", "path", "protocol", "request_id", "requested_server_name", "response_code", "response_code_details",
             "response_flags", "route_name", "start_time", "upstream_cluster", "upstream_host", "upstream_local_address",
             "upstream_service_time", "upstream_transport_failure_reason", "user_agent", "x_forwarded_for"],
            entry.EnumerateObject().Select(p => p.Name));
        Assert.Equal(200, entry.GetProperty("response_code").GetInt32());
        Assert.Equal(2, entry.GetProperty("bytes_sent").GetInt64());
        Assert.Equal("/products", entry.GetProperty("path").GetString());
        Assert.Equal(JsonValueKind.Null, entry.GetProperty("response_flags").ValueKind);
        Assert.Equal(JsonValueKind.Null, entry.GetProperty("upstream_transport_failure_reason").ValueKind);
        Assert.Equal("canary-split", entry.GetProperty("route_name").GetString());
    }

    [Fact]
    public async Task Without_an_access_log_nothing_is_written()
    {
        await using var backend = await Backend.StartAsync("v1");
        await using var plane = await ScriptedControlPlane.StartAsync(MetricsTests.Canary(backend.Port, backend.Port));
        await using var proxy = await RunningProxy.StartAsync(plane.Address);
        using (await proxy.GetAsync(CanaryMesh.Host, "/products"))
        {
        }

        await MetricsTests.Recorded(proxy, 1);
        Assert.Empty(proxy.Host.Telemetry.Logs.For((Weft.Proxy.Snapshot.Listeners.ConnectionManagerModel?)null));
        Assert.Empty(proxy.Host.Telemetry.Logs.For(proxy.Host.State.Current!.Listeners.Select(l => l.SelectChain(new(System.Net.IPAddress.Any, 8080, System.Net.IPAddress.Loopback, 1, "raw_buffer", ["http/1.1"]))?.Action).OfType<Weft.Proxy.Snapshot.Listeners.HttpChain>().First().Manager));
        Assert.Equal(0, proxy.Host.Telemetry.Logs.Written.Value);
        Assert.Empty(Directory.GetFiles(_directory));
    }

    [Fact]
    public async Task A_file_access_log_on_the_connection_manager_is_honoured_with_its_format()
    {
        await using var backend = await Backend.StartAsync("v1");
        var path = Path.Combine(_directory, "from-control-plane.log");
        var resources = MetricsTests.Canary(backend.Port, backend.Port).Select(r => r is Listener { Name: "0.0.0.0_8080" } l ? WithAccessLog(l, path) : r).ToList();
        await using var plane = await ScriptedControlPlane.StartAsync(resources);
        await using var proxy = await RunningProxy.StartAsync(plane.Address);

        using (await proxy.GetAsync(CanaryMesh.Host, "/products", ("x-request-id", "cp-1")))
        {
        }

        await proxy.Host.Telemetry.Logs.Written.WhenAtLeastAsync(1).WaitAsync(Generous);
        Assert.Equal(["200 canary-split cp-1 -"], await File.ReadAllLinesAsync(path));
    }

    [Fact]
    public async Task A_TCP_connection_is_logged_once_when_it_closes_as_Envoys_TCP_proxy_logs_it()
    {
        await using var echo = TcpBackend.Echo("echo");
        await using var plane = await ScriptedControlPlane.StartAsync(Tcp.TcpProxyTests.Mesh(XdsResources.ToCluster("db"), ("db", echo)));
        var path = Path.Combine(_directory, "tcp.log");
        await using var proxy = await RunningProxy.StartAsync(plane.Address, o => o with { AccessLogPath = path });

        using (var client = await RawConnection.TunnelAsync(proxy.Host.OutboundEndpoint, "240.0.0.1:3306"))
        {
            await client.SendAsync("hello");
            Assert.Equal("hello", await client.ReadAsync(5));
            client.ShutdownSend();
            Assert.Equal(string.Empty, await client.ReadToEndAsync());
        }

        await proxy.Host.Telemetry.Logs.Written.WhenAtLeastAsync(1).WaitAsync(Generous);
        var line = Parse(Assert.Single(await File.ReadAllLinesAsync(path)));
        Assert.Equal(("-", "-", "-"), (line["method"], line["path"], line["protocol"]));
        Assert.Equal("0", line["code"]);
        Assert.Equal("-", line["flags"]);
        Assert.Equal("5", line["received"]);
        Assert.Equal("5", line["sent"]);
        Assert.Equal($"127.0.0.1:{echo.Port}", line["upstream"]);
        Assert.Equal("db", line["cluster"]);
        Assert.StartsWith("127.0.0.1:", line["remote"]);
        Assert.Equal("-", line["route"]);
    }

    [Fact]
    public async Task A_file_access_log_on_a_TCP_proxy_is_honoured_with_its_format_and_shows_why_a_connection_failed()
    {
        var proxyConfig = XdsResources.ToCluster("db");
        proxyConfig.AccessLog.Add(FileLog(Path.Combine(_directory, "tcp-cp.log"), "%UPSTREAM_CLUSTER% %BYTES_RECEIVED% %BYTES_SENT% %RESPONSE_FLAGS% %PROTOCOL%\n"));
        await using var plane = await ScriptedControlPlane.StartAsync(Tcp.TcpProxyTests.Mesh(proxyConfig, ("db", null)));
        await using var proxy = await RunningProxy.StartAsync(plane.Address);

        // Nothing listens at the endpoint: the CONNECT is refused, and the connection logged with UF and URX (its one attempt used), as Envoy does.
        Assert.StartsWith("HTTP/1.1 503", await RawConnection.TunnelRefusedAsync(proxy.Host.OutboundEndpoint, "240.0.0.1:3306"), StringComparison.Ordinal);

        await proxy.Host.Telemetry.Logs.Written.WhenAtLeastAsync(1).WaitAsync(Generous);
        Assert.Equal(["db 0 0 UF,URX -"], await File.ReadAllLinesAsync(Path.Combine(_directory, "tcp-cp.log")));
    }

    [Fact]
    public async Task Mesh_accessLogFile_on_a_real_control_plane_switches_the_log_on_in_Istios_format()
    {
        var path = Path.Combine(_directory, "mesh.log");
        await using var mesh = await CanaryMesh.StartAsync(meshConfig: Weft.Control.Model.MeshConfig.Default with { AccessLogFile = path });
        await using var proxy = await RunningProxy.StartAsync(mesh.XdsAddress);

        using (var response = await proxy.GetAsync(CanaryMesh.Host, "/products", ("x-request-id", "from-mesh-config")))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        await proxy.Host.Telemetry.Logs.Written.WhenAtLeastAsync(1).WaitAsync(Generous);
        var line = Parse(Assert.Single(await File.ReadAllLinesAsync(path)));
        Assert.Equal(("from-mesh-config", "200", "GET", "/products"), (line["id"], line["code"], line["method"], line["path"]));
        Assert.StartsWith("outbound|8080|v", line["cluster"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_response_flag_filter_writes_only_the_entries_with_one_of_its_flags()
    {
        await using var backend = await Backend.StartAsync("web");
        var path = Path.Combine(_directory, "flagged.log");
        await using var plane = await ScriptedControlPlane.StartAsync(
        [
            .. XdsResources.VirtualOutbound(),
            WithAccessLog(XdsResources.HttpListener(8080, "web"), path, "NR"),
            XdsResources.Routes("web", ("web.example", "web")),
            XdsResources.EdsCluster("web"), XdsResources.Assignment("web", ("127.0.0.1", backend.Port)),
        ]);
        await using var proxy = await RunningProxy.StartAsync(plane.Address);

        await ServedThenUnroutedAsync(proxy, "served", "unrouted");

        // Both were counted; only the one without a route passed the filter.
        await MetricsTests.Recorded(proxy, 2);
        await proxy.Host.Telemetry.Logs.Written.WhenAtLeastAsync(1).WaitAsync(Generous);
        Assert.Equal(["404 - unrouted NR"], await File.ReadAllLinesAsync(path));
    }

    [Fact]
    public async Task A_connection_no_filter_chain_takes_is_logged_by_its_listener_with_NR()
    {
        var path = Path.Combine(_directory, "listener.log");
        var log = FileLog(path, "%RESPONSE_FLAGS% %UPSTREAM_CLUSTER% %BYTES_RECEIVED%\n");
        log.Filter = new Weft.Xds.Envoy.Config.AccessLog.V3.AccessLogFilter { ResponseFlagFilter = new Weft.Xds.Envoy.Config.AccessLog.V3.ResponseFlagFilter { Flags = { "NR" } } };
        await ConnectionNoChainTakesAsync(_ => [log]);

        Assert.Equal(["NR - 0"], await File.ReadAllLinesAsync(path));
    }

    /// <summary>
    /// Binds a listener whose one chain takes only connections for port 1, with the access logs <paramref name="logs"/>
    /// gives for its port, opens a connection to it (which no chain takes, so it is closed at once) and waits for a
    /// log entry to be written.
    /// </summary>
    private static async Task ConnectionNoChainTakesAsync(Func<int, IEnumerable<Weft.Xds.Envoy.Config.AccessLog.V3.AccessLog>> logs)
    {
        var port = Ports.Free();
        var listener = new Listener
        {
            Name = "picky",
            Address = XdsResources.Address("127.0.0.1", port),
            BindToPort = true,
            TrafficDirection = TrafficDirection.Outbound,
            FilterChains = { new FilterChain { Name = "elsewhere", FilterChainMatch = new FilterChainMatch { DestinationPort = 1 }, Filters = { XdsResources.TcpProxyFilter(XdsResources.ToCluster("db")) } } },
            AccessLog = { logs(port) },
        };
        await using var plane = await ScriptedControlPlane.StartAsync([listener, XdsResources.EdsCluster("db"), XdsResources.Assignment("db", ("127.0.0.1", Ports.Refusing()))]);
        await using var proxy = await RunningProxy.StartAsync(plane.Address);
        await proxy.Host.WaitForBoundListenersAsync(l => l.ContainsKey("picky")).WaitAsync(RawConnection.Wait);

        using (var client = await RawConnection.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port)))
        {
            Assert.Equal(string.Empty, await client.ReadToEndAsync()); // closed: no chain for it
        }

        await proxy.Host.Telemetry.Logs.Written.WhenAtLeastAsync(1).WaitAsync(Generous);
    }

    [Theory]
    [InlineData("ALLOW", "rbac_access_denied_matched_policy[none]")]
    [InlineData("DENY", "rbac_access_denied_matched_policy[ns[default]-policy[deny-all]-rule[0]]")]
    public async Task A_TCP_connection_network_RBAC_refuses_is_logged_with_the_policy_that_refused_it(string action, string details)
    {
        await using var echo = TcpBackend.Echo("echo");
        var path = Path.Combine(_directory, "denied.log");
        var proxyConfig = XdsResources.ToCluster("db");
        proxyConfig.AccessLog.Add(FileLog(path, "%RESPONSE_FLAGS% %CONNECTION_TERMINATION_DETAILS% %UPSTREAM_CLUSTER% %BYTES_RECEIVED%\n"));
        var resources = Tcp.TcpProxyTests.Mesh(proxyConfig, ("db", echo)).ToList();
        var listener = resources.OfType<Listener>().Single(l => l.Name != "virtualOutbound");
        var rules = new Weft.Xds.Envoy.Config.Rbac.V3.RBAC { Action = System.Enum.Parse<Weft.Xds.Envoy.Config.Rbac.V3.RBAC.Types.Action>(action, ignoreCase: true) };
        if (action == "DENY")
        {
            rules.Policies["ns[default]-policy[deny-all]-rule[0]"] = new Weft.Xds.Envoy.Config.Rbac.V3.Policy
            {
                Permissions = { new Weft.Xds.Envoy.Config.Rbac.V3.Permission { Any = true } },
                Principals = { new Weft.Xds.Envoy.Config.Rbac.V3.Principal { Any = true } },
            };
        }

        listener.FilterChains[0].Filters.Insert(0, new Filter
        {
            Name = "envoy.filters.network.rbac",
            TypedConfig = Any.Pack(new Weft.Xds.Envoy.Extensions.Filters.Network.Rbac.V3.RBAC { StatPrefix = "tcp.", Rules = rules }),
        });
        await using var plane = await ScriptedControlPlane.StartAsync(resources);
        await using var proxy = await RunningProxy.StartAsync(plane.Address);

        Assert.StartsWith("HTTP/1.1 403", await RawConnection.TunnelRefusedAsync(proxy.Host.OutboundEndpoint, "240.0.0.1:3306"), StringComparison.Ordinal);

        await proxy.Host.Telemetry.Logs.Written.WhenAtLeastAsync(1).WaitAsync(Generous);
        Assert.Equal([$"- {details} - 0"], await File.ReadAllLinesAsync(path));
        Assert.Equal(0, echo.Connections);
    }

    private static Weft.Xds.Envoy.Config.AccessLog.V3.AccessLog FileLog(string path, string format) => new()
    {
        Name = "envoy.access_loggers.file",
        TypedConfig = Any.Pack(new FileAccessLog
        {
            Path = path,
            LogFormat = new SubstitutionFormatString { TextFormatSource = new DataSource { InlineString = format } },
        }),
    };

    /// <summary>A request to web.example that is served, then one to a host with no route (404, NR), each with its request id.</summary>
    private static async Task ServedThenUnroutedAsync(RunningProxy proxy, string servedId, string unroutedId)
    {
        using (var served = await proxy.GetAsync("web.example:8080", "/", ("x-request-id", servedId)))
        {
            Assert.Equal(HttpStatusCode.OK, served.StatusCode);
        }

        using var unrouted = await proxy.GetAsync("other.example:8080", "/", ("x-request-id", unroutedId));
        Assert.Equal(HttpStatusCode.NotFound, unrouted.StatusCode);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static Listener WithAccessLog(Listener listener, string path, params string[] flags)
    {
        var copy = listener.Clone();
        var filter = copy.FilterChains[0].Filters.Single();
        var hcm = filter.TypedConfig.Unpack<Hcm>();
        hcm.AccessLog.Add(new Weft.Xds.Envoy.Config.AccessLog.V3.AccessLog
        {
            Name = "envoy.access_loggers.file",
            TypedConfig = Any.Pack(new FileAccessLog
            {
                Path = path,
                LogFormat = new SubstitutionFormatString { TextFormatSource = new DataSource { InlineString = "%RESPONSE_CODE% %ROUTE_NAME% %REQ(X-REQUEST-ID)% %RESPONSE_FLAGS%\n" } },
            }),
            Filter = flags.Length == 0 ? null : new Weft.Xds.Envoy.Config.AccessLog.V3.AccessLogFilter { ResponseFlagFilter = new Weft.Xds.Envoy.Config.AccessLog.V3.ResponseFlagFilter { Flags = { flags } } },
        });
        filter.TypedConfig = Any.Pack(hcm);
        return copy;
    }

    private static Dictionary<string, string> Parse(string line)
    {
        var match = IstioTextLine().Match(line);
        Assert.True(match.Success, $"not Istio's access log format: {line}");
        return IstioTextLine().GetGroupNames().Where(n => !char.IsDigit(n[0])).ToDictionary(n => n, n => match.Groups[n].Value);
    }

    [GeneratedRegex("""^\[(?<start>[^\]]+)\] "(?<method>\S+) (?<path>\S+) (?<protocol>\S+)" (?<code>\d+) (?<flags>\S+) (?<details>\S+) (?<termination>\S+) "(?<failure>[^"]*)" (?<received>\d+) (?<sent>\d+) (?<duration>\d+) (?<upstreamTime>\S+) "(?<xff>[^"]*)" "(?<agent>[^"]*)" "(?<id>[^"]*)" "(?<authority>[^"]*)" "(?<upstream>[^"]*)" (?<cluster>\S+) (?<upstreamLocal>\S+) (?<local>\S+) (?<remote>\S+) (?<sni>\S+) (?<route>\S+)$""")]
    private static partial Regex IstioTextLine();
}
