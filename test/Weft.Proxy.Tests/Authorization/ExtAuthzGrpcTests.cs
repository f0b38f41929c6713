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

        public static async Task<GrpcAuthzMesh> StartAsync(Action<ExtAuthz> shape)
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
