using System.Net;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Weft.Proxy.Tests.Support;
using Weft.Xds;
using Weft.Xds.Envoy.Config.Core.V3;
using Duration = Google.Protobuf.WellKnownTypes.Duration;
using Weft.Xds.Envoy.Config.Listener.V3;
using Weft.Xds.Envoy.Extensions.Filters.Network.HttpConnectionManager.V3;
using Listener = Weft.Xds.Envoy.Config.Listener.V3.Listener;
using RouterConfig = Weft.Xds.Envoy.Extensions.Filters.Http.Router.V3.Router;

namespace Weft.Proxy.Tests.Functional;

/// <summary>
/// What Istio's <c>proxyHeaders</c> turn into on the proxy, from the xDS istiod sends for them: the router's
/// <c>suppress_envoy_headers</c> (<c>envoyDebugHeaders.disabled</c>) and the peer metadata filter's
/// <c>skip_external_clusters</c> (<c>metadataExchangeHeaders: IN_MESH</c>), through a real proxy to real backends.
/// </summary>
public sealed class ProxyHeadersTests
{
    private const int Port = 9080;

    [Fact]
    public async Task A_router_that_suppresses_envoy_headers_adds_no_service_time_or_expected_timeout()
    {
        await using var backend = await Backend.StartAsync("app");
        foreach (var suppress in new[] { false, true })
        {
            await using var plane = await ScriptedControlPlane.StartAsync(Resources(Listener(suppress, skipExternal: false), ("app.local", "outbound|9080||app.local", backend.Port, false)));
            await using var proxy = await RunningProxy.StartAsync(plane.Address);

            using var response = await proxy.GetAsync($"app.local:{Port}", "/");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(!suppress, response.Headers.Contains("x-envoy-upstream-service-time"));
            Assert.Equal(!suppress, backend.Requests.Last().Headers.ContainsKey("x-envoy-expected-rq-timeout-ms"));

            // The connection manager's own headers stay: the request id, and the attempt count the virtual host asks for.
            Assert.True(backend.Requests.Last().Headers.ContainsKey("x-request-id"));
        }
    }

    [Fact]
    public async Task In_mesh_only_the_peer_metadata_stays_off_external_clusters()
    {
        await using var mesh = await Backend.StartAsync("mesh");
        await using var external = await Backend.StartAsync("external");
        foreach (var skip in new[] { false, true })
        {
            await using var plane = await ScriptedControlPlane.StartAsync(Resources(
                Listener(suppress: false, skipExternal: skip),
                ("mesh.local", "outbound|9080||mesh.local", mesh.Port, false),
                ("api.example.com", "outbound|9080||api.example.com", external.Port, true)));
            await using var proxy = await RunningProxy.StartAsync(plane.Address);

            using (var toMesh = await proxy.GetAsync($"mesh.local:{Port}", "/"))
            {
                Assert.Equal("mesh", await toMesh.Content.ReadAsStringAsync());
            }

            using (var toExternal = await proxy.GetAsync($"api.example.com:{Port}", "/"))
            {
                Assert.Equal("external", await toExternal.Content.ReadAsStringAsync());
            }

            Assert.True(mesh.Requests.Last().Headers.ContainsKey("x-envoy-peer-metadata"));
            Assert.True(mesh.Requests.Last().Headers.ContainsKey("x-envoy-peer-metadata-id"));
            Assert.Equal(!skip, external.Requests.Last().Headers.ContainsKey("x-envoy-peer-metadata"));
            Assert.Equal(!skip, external.Requests.Last().Headers.ContainsKey("x-envoy-peer-metadata-id"));
        }
    }

    [Fact]
    public async Task The_mesh_proxyHeaders_reach_the_proxy_from_a_real_control_plane()
    {
        var quiet = Weft.Control.Model.MeshConfigReader.Read(
            """
            defaultConfig:
              proxyHeaders:
                server: {disabled: true}
                requestId: {disabled: true}
                attemptCount: {disabled: true}
                envoyDebugHeaders: {disabled: true}
            """,
            "mesh.yaml");
        foreach (var meshConfig in new[] { Weft.Control.Model.MeshConfig.Default, quiet })
        {
            var asked = !ReferenceEquals(meshConfig, Weft.Control.Model.MeshConfig.Default);
            await using var mesh = await CanaryMesh.StartAsync(meshConfig: meshConfig);
            await using var proxy = await RunningProxy.StartAsync(mesh.XdsAddress);

            using var response = await proxy.GetAsync(CanaryMesh.Host, "/products");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(!asked, response.Headers.Contains("x-envoy-upstream-service-time"));
            Assert.Equal(!asked, response.Headers.Server.ToString() == "envoy");
            var received = mesh.V1.Requests.Concat(mesh.V2.Requests).Single();
            Assert.Equal(!asked, received.Headers.ContainsKey("x-request-id"));
            Assert.Equal(!asked, received.Headers.ContainsKey("x-envoy-attempt-count"));
        }
    }

    /// <summary>The outbound listener istiod writes: the peer metadata filter first (optionally skipping external clusters), the router last.</summary>
    private static Listener Listener(bool suppress, bool skipExternal)
    {
        var listener = XdsResources.HttpListener(Port);
        var chain = listener.FilterChains[0];
        var hcm = chain.Filters[0].TypedConfig.Unpack<HttpConnectionManager>();
        hcm.HttpFilters[^1].TypedConfig = Any.Pack(new RouterConfig { SuppressEnvoyHeaders = suppress });
        hcm.HttpFilters.Insert(0, new HttpFilter { Name = MetadataExchangeFilters.FilterName, TypedConfig = MetadataExchangeFilters.HttpOutbound(skipExternal) });
        chain.Filters[0] = XdsResources.ConnectionManagerFilter(hcm);
        return listener;
    }

    private static IEnumerable<IMessage> Resources(Listener listener, params (string Host, string Cluster, int BackendPort, bool External)[] services)
    {
        yield return listener;
        var routes = XdsResources.Routes(Port.ToString(System.Globalization.CultureInfo.InvariantCulture), services.Select(s => (s.Host, s.Cluster)).ToArray());
        foreach (var route in routes.VirtualHosts.SelectMany(v => v.Routes))
        {
            // A route timeout, which the router tells the upstream in x-envoy-expected-rq-timeout-ms unless suppressed.
            route.Route_.Timeout = Duration.FromTimeSpan(TimeSpan.FromSeconds(2));
        }

        yield return routes;
        foreach (var (_, name, backendPort, isExternal) in services)
        {
            var cluster = XdsResources.EdsCluster(name);
            if (isExternal)
            {
                // What istiod writes on a MESH_EXTERNAL ServiceEntry's clusters.
                cluster.Metadata = new Metadata();
                cluster.Metadata.FilterMetadata["istio"] = new Struct { Fields = { ["external"] = Value.ForBool(true) } };
            }

            yield return cluster;
            yield return XdsResources.Assignment(name, ("127.0.0.1", backendPort));
        }
    }
}
