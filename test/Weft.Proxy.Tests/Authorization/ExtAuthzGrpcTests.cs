using System.Net;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Weft.Proxy.Tests.Support;
using Weft.Xds.Envoy.Config.Core.V3;
using Weft.Xds.Envoy.Extensions.Filters.Http.ExtAuthz.V3;
using Weft.Xds.Envoy.Extensions.Filters.Network.HttpConnectionManager.V3;
using Weft.Xds.Envoy.Service.Auth.V3;
using Weft.Xds.Envoy.Type.V3;
using GrpcStatus = Google.Rpc.Status;

namespace Weft.Proxy.Tests.Authorization;

/// <summary>
/// Envoy's ext_authz filter with a gRPC authorization service (Istio's <c>envoyExtAuthzGrpc</c>, what OPA-Envoy and
/// most policy engines speak): a real gRPC server implementing <c>envoy.service.auth.v3.Authorization</c>, a real proxy
/// and backend. The service allows <c>x-user: alice</c> (with header edits), denies bob with its own answer, and fails
/// the call for "broken".
/// </summary>
public sealed class ExtAuthzGrpcTests
{
    private const string Host = "svc:8080";

    [Fact]
    public async Task An_allowed_request_carries_the_services_header_edits_and_the_service_was_told_about_the_request()
    {
        await using var mesh = await GrpcAuthzMesh.StartAsync(_ => { });
        using var request = Request("/orders/7?x=1", "alice");
        request.Headers.Add("x-secret", "hunter2");
        using var response = await mesh.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("granted", string.Join(",", response.Headers.GetValues("x-authz-note")));
        var forwarded = Assert.Single(mesh.Backend.Requests);
        Assert.Equal("alice@example", forwarded.Headers["x-authz-user"]);
        Assert.Equal("a, b", forwarded.Headers["x-authz-tags"]);
        Assert.False(forwarded.Headers.ContainsKey("x-secret"));

        var check = Assert.Single(mesh.Service.Checks).Attributes;
        Assert.Equal("GET", check.Request.Http.Method);
        Assert.Equal("/orders/7?x=1", check.Request.Http.Path);
        Assert.Equal(Host, check.Request.Http.Host);
        Assert.Equal("HTTP/1.1", check.Request.Http.Protocol);
        Assert.Equal("alice", check.Request.Http.Headers["x-user"]);
        Assert.Equal("hunter2", check.Request.Http.Headers["x-secret"]);
        Assert.Equal(forwarded.Headers["x-request-id"], check.Request.Http.Id);
        Assert.Equal("127.0.0.1", check.Source.Address.SocketAddress.Address);
        Assert.True(check.Source.Address.SocketAddress.PortValue > 0);
        Assert.Equal("authz.example:9000", mesh.Service.Authorities.Single());
    }

    [Fact]
    public async Task A_denial_answers_with_the_denied_responses_status_headers_and_body()
    {
        await using var mesh = await GrpcAuthzMesh.StartAsync(_ => { });
        using var response = await mesh.Client.SendAsync(Request("/orders", "bob"));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("bob may not", await response.Content.ReadAsStringAsync());
        Assert.Equal("bob", string.Join(",", response.Headers.GetValues("x-deny-reason")));
        Assert.Empty(mesh.Backend.Requests);
    }

    [Fact]
    public async Task A_failed_call_is_an_error_answered_with_status_on_error_or_let_through_under_failure_mode_allow()
    {
        await using (var closed = await GrpcAuthzMesh.StartAsync(f => f.StatusOnError = new HttpStatus { Code = Weft.Xds.Envoy.Type.V3.StatusCode.ServiceUnavailable }))
        {
            using var response = await closed.Client.SendAsync(Request("/orders", "broken"));
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.Empty(closed.Backend.Requests);
        }

        await using var open = await GrpcAuthzMesh.StartAsync(f => f.FailureModeAllow = true);
        using var allowed = await open.Client.SendAsync(Request("/orders", "broken"));
        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        Assert.Single(open.Backend.Requests);
    }

    [Fact]
    public async Task Only_the_allowed_headers_go_to_the_service_when_the_filter_names_some()
    {
        await using var mesh = await GrpcAuthzMesh.StartAsync(f =>
        {
            f.AllowedHeaders = new Weft.Xds.Envoy.Type.Matcher.V3.ListStringMatcher();
            f.AllowedHeaders.Patterns.Add(new Weft.Xds.Envoy.Type.Matcher.V3.StringMatcher { Exact = "x-user" });
        });
        using var request = Request("/orders", "alice");
        request.Headers.Add("x-secret", "hunter2");
        using var response = await mesh.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var headers = Assert.Single(mesh.Service.Checks).Attributes.Request.Http.Headers;
        Assert.Equal("alice", headers["x-user"]);
        Assert.False(headers.ContainsKey("x-secret"));
    }

    [Fact]
    public async Task The_check_carries_the_dynamic_metadata_of_the_namespaces_the_filter_names()
    {
        // Istio's CUSTOM shape: an RBAC filter with shadow rules marks the requests a CUSTOM policy selects.
        var shadow = new Weft.Xds.Envoy.Config.Rbac.V3.RBAC { Action = Weft.Xds.Envoy.Config.Rbac.V3.RBAC.Types.Action.Deny };
        shadow.Policies["istio-ext-authz-ns[default]-policy[custom]-rule[0]"] = new Weft.Xds.Envoy.Config.Rbac.V3.Policy
        {
            Permissions = { new Weft.Xds.Envoy.Config.Rbac.V3.Permission { Any = true } },
            Principals = { new Weft.Xds.Envoy.Config.Rbac.V3.Principal { Any = true } },
        };
        var rbac = new HttpFilter
        {
            Name = "envoy.filters.http.rbac",
            TypedConfig = Any.Pack(new Weft.Xds.Envoy.Extensions.Filters.Http.Rbac.V3.RBAC { ShadowRules = shadow, ShadowRulesStatPrefix = "istio_ext_authz_" }),
        };
        await using var mesh = await GrpcAuthzMesh.StartAsync(f => f.MetadataContextNamespaces.Add(["envoy.filters.http.rbac", "absent.namespace"]), rbac);
        using var response = await mesh.Client.SendAsync(Request("/orders", "alice"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var check = Assert.Single(mesh.Service.Checks).Attributes;
        var rbacMetadata = Assert.Single(check.MetadataContext.FilterMetadata);
        Assert.Equal("envoy.filters.http.rbac", rbacMetadata.Key);
        Assert.Equal("istio-ext-authz-ns[default]-policy[custom]-rule[0]", rbacMetadata.Value.Fields["istio_ext_authz_shadow_effective_policy_id"].StringValue);
        Assert.Equal("denied", rbacMetadata.Value.Fields["istio_ext_authz_shadow_engine_result"].StringValue);

        // Plaintext: no principals, no certificate, no TLS session even when asked for.
        Assert.Equal(string.Empty, check.Source.Principal);
        Assert.Null(check.TlsSession);
    }

    [Fact]
    public async Task Over_mutual_tls_the_check_carries_both_principals_the_client_certificate_and_the_sni()
    {
        await using var backend = await Backend.StartAsync("server");
        await using var authz = await GrpcAuthzServer.StartAsync(Decide);
        await using var ca = await MeshCa.StartAsync();

        var serverResources = MtlsResources.ServerInbound(backend.Port, tcp: false).ToList();
        var chain = ((Weft.Xds.Envoy.Config.Listener.V3.Listener)serverResources[0]).FilterChains[0];
        var hcm = chain.Filters[^1].TypedConfig.Unpack<HttpConnectionManager>();
        hcm.HttpFilters.Insert(0, new HttpFilter
        {
            Name = "envoy.filters.http.ext_authz",
            TypedConfig = Any.Pack(new ExtAuthz
            {
                TransportApiVersion = ApiVersion.V3,
                IncludePeerCertificate = true,
                IncludeTlsSession = true,
                GrpcService = new GrpcService
                {
                    EnvoyGrpc = new GrpcService.Types.EnvoyGrpc { ClusterName = "authz" },
                    Timeout = Duration.FromTimeSpan(TimeSpan.FromSeconds(5)),
                },
            }),
        });
        chain.Filters[^1] = XdsResources.ConnectionManagerFilter(hcm);
        serverResources.Add(XdsResources.StaticCluster("authz", ("127.0.0.1", authz.Port)));
        await using var serverPlane = await ScriptedControlPlane.StartAsync(serverResources);
        await using var server = await RunningProxy.StartAsync(serverPlane.Address, ca.Identity("server"), nodeId: MeshCa.ServerNode);
        await using var clientPlane = await ScriptedControlPlane.StartAsync(MtlsResources.ClientOutbound(server.Host.InboundEndpoint.Port));
        await using var client = await RunningProxy.StartAsync(clientPlane.Address, ca.Identity("client"), nodeId: MeshCa.ClientNode);

        using var response = await client.GetAsync($"{MtlsResources.ServiceHost}:9080", "/who", ("x-user", "alice"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        var check = Assert.Single(authz.Checks).Attributes;
        Assert.Equal(MeshCa.ClientId, check.Source.Principal);
        Assert.Equal(MeshCa.ServerId, check.Destination.Principal);
        Assert.Equal($"outbound_.9080_._.{MtlsResources.ServiceHost}", check.TlsSession.Sni);
        using var presented = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(Uri.UnescapeDataString(check.Source.Certificate));
        Assert.Contains(MeshCa.ClientId, presented.Extensions["2.5.29.17"]!.Format(false), StringComparison.Ordinal);
    }

    private static HttpRequestMessage Request(string path, string user)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, new Uri(path, UriKind.Relative));
        request.Headers.Host = Host;
        request.Headers.Add("x-user", user);
        return request;
    }

    private sealed class GrpcAuthzMesh : IAsyncDisposable
    {
        private GrpcAuthzMesh(GrpcAuthzServer service, Backend backend, ScriptedControlPlane plane, RunningProxy proxy)
        {
            Service = service;
            Backend = backend;
            Plane = plane;
            Proxy = proxy;
            Client = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = new Uri($"http://{proxy.Host.OutboundEndpoint}") };
        }

        public GrpcAuthzServer Service { get; }

        public Backend Backend { get; }

        public HttpClient Client { get; }

        private ScriptedControlPlane Plane { get; }

        private RunningProxy Proxy { get; }

        public static async Task<GrpcAuthzMesh> StartAsync(Action<ExtAuthz> shape, HttpFilter? before = null)
        {
            var service = await GrpcAuthzServer.StartAsync(Decide);
            var port = service.Port;
            var backend = await Backend.StartAsync("backend");

            var filter = new ExtAuthz
            {
                TransportApiVersion = ApiVersion.V3,
                GrpcService = new GrpcService
                {
                    EnvoyGrpc = new GrpcService.Types.EnvoyGrpc { ClusterName = "authz", Authority = "authz.example:9000" },
                    Timeout = Duration.FromTimeSpan(TimeSpan.FromSeconds(5)),
                },
            };
            shape(filter);
            var listener = XdsResources.HttpListener(8080, new HttpFilter { Name = "envoy.filters.http.ext_authz", TypedConfig = Any.Pack(filter) });
            if (before is not null)
            {
                var hcm = listener.FilterChains[0].Filters[0].TypedConfig.Unpack<HttpConnectionManager>();
                hcm.HttpFilters.Insert(0, before);
                listener.FilterChains[0].Filters[0] = XdsResources.ConnectionManagerFilter(hcm);
            }
            var plane = await ScriptedControlPlane.StartAsync(
            [
                listener,
                XdsResources.Routes("8080", ("svc", "backend")),
                XdsResources.StaticCluster("backend", ("127.0.0.1", backend.Port)),
                XdsResources.StaticCluster("authz", ("127.0.0.1", port)),
            ]);
            var proxy = await RunningProxy.StartAsync(plane.Address);
            return new GrpcAuthzMesh(service, backend, plane, proxy);
        }

        public async ValueTask DisposeAsync()
        {
            Client.Dispose();
            await Proxy.DisposeAsync();
            await Plane.DisposeAsync();
            await Service.DisposeAsync();
            await Backend.DisposeAsync();
        }
    }

    /// <summary>The authorization service's decision, by the request's x-user header.</summary>
    private static CheckResponse Decide(CheckRequest request)
    {
        var user = request.Attributes.Request.Http.Headers.TryGetValue("x-user", out var value) ? value : string.Empty;
        return user switch
        {
            "alice" => new CheckResponse
            {
                Status = new GrpcStatus { Code = 0 },
                OkResponse = new OkHttpResponse
                {
                    Headers =
                    {
                        Option("x-authz-user", "alice@example"),
                        Option("x-authz-tags", "a", append: true),
                        Option("x-authz-tags", "b", append: true),
                    },
                    HeadersToRemove = { "x-secret" },
                    ResponseHeadersToAdd = { Option("x-authz-note", "granted") },
                },
            },
            "broken" => throw new RpcException(new Grpc.Core.Status(Grpc.Core.StatusCode.Internal, "policy engine down")),
            _ => new CheckResponse
            {
                Status = new GrpcStatus { Code = 7 },
                DeniedResponse = new DeniedHttpResponse
                {
                    Status = new HttpStatus { Code = Weft.Xds.Envoy.Type.V3.StatusCode.Unauthorized },
                    Headers = { Option("x-deny-reason", user) },
                    Body = user + " may not",
                },
            },
        };
    }

    private static HeaderValueOption Option(string key, string value, bool append = false) =>
        new() { Header = new HeaderValue { Key = key, Value = value }, Append = append };
}
