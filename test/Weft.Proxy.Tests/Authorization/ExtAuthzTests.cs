using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Google.Protobuf.WellKnownTypes;
using Microsoft.AspNetCore.Http;
using Weft.Proxy.Tests.Support;
using Weft.Xds.Envoy.Config.Core.V3;
using Weft.Xds.Envoy.Config.Listener.V3;
using Weft.Xds.Envoy.Extensions.Filters.Http.ExtAuthz.V3;
using Weft.Xds.Envoy.Extensions.Filters.Network.HttpConnectionManager.V3;
using Weft.Xds.Envoy.Type.Matcher.V3;
using Weft.Xds.Envoy.Type.V3;

namespace Weft.Proxy.Tests.Authorization;

/// <summary>
/// Envoy's ext_authz filter with an HTTP authorization service, through a real proxy, a real service and a real
/// backend: what the service is sent, and what its answers do. The service decides by the request's <c>x-user</c>:
/// alice is allowed (with headers for the upstream and the client), bob is denied with the service's own answer, "broken"
/// gets a 500 (an error), "slow" no answer within the timeout (an error).
/// </summary>
public sealed class ExtAuthzTests
{
    private const string Host = "svc:8080";

    [Fact]
    public async Task An_allowed_request_reaches_the_backend_with_the_services_header_edits_and_the_service_saw_only_what_it_may()
    {
        await using var mesh = await AuthzMesh.StartAsync(_ => { });
        using var request = Request(HttpMethod.Get, "/orders/7?x=1", "alice");
        request.Headers.Add("x-secret", "hunter2");
        request.Headers.Add("x-private", "not for the service");
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "token-a");

        using var response = await mesh.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("backend", await response.Content.ReadAsStringAsync());
        Assert.Equal("granted", Header(response, "x-authz-note"));

        var check = Assert.Single(mesh.Service.Requests);
        Assert.Equal("GET", check.Method);
        Assert.Equal("/check/orders/7?x=1", check.Target);
        Assert.Equal(Host, check.Host);
        Assert.Equal("alice", check.Headers["x-user"]);
        Assert.Equal("Bearer token-a", check.Headers["authorization"]);
        Assert.Equal("weft", check.Headers["x-added-by-proxy"]);
        Assert.Equal("0", check.Headers["content-length"]);
        Assert.False(check.Headers.ContainsKey("x-private"));

        var forwarded = Assert.Single(mesh.Backend.Requests);
        Assert.Equal("alice@example", forwarded.Headers["x-authz-user"]);
        Assert.Equal("a, b", forwarded.Headers["x-authz-tags"]);
        Assert.False(forwarded.Headers.ContainsKey("x-secret"));
        Assert.False(forwarded.Headers.ContainsKey("x-authz-ignored"));
    }

    [Fact]
    public async Task A_denial_answers_the_client_with_the_services_status_body_and_headers_and_never_reaches_the_backend()
    {
        await using var mesh = await AuthzMesh.StartAsync(_ => { });
        using var response = await mesh.Client.SendAsync(Request(HttpMethod.Get, "/orders", "bob"));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("{\"error\":\"bob may not\"}", await response.Content.ReadAsStringAsync());
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("Basic realm=\"orders\"", Header(response, "www-authenticate"));
        Assert.Equal("bob", Header(response, "x-deny-reason"));
        Assert.Empty(mesh.Backend.Requests);
        Assert.Contains("weft_ext_authz_total{stat=\"http.outbound_0.0.0.0_8080.ext_authz.denied\"} 1", await mesh.StatsAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Only_the_headers_allowed_to_the_client_reach_it_on_a_denial_when_the_filter_names_some()
    {
        await using var mesh = await AuthzMesh.StartAsync(f => f.HttpService.AuthorizationResponse.AllowedClientHeaders = Patterns("x-deny-reason"));
        using var response = await mesh.Client.SendAsync(Request(HttpMethod.Get, "/orders", "bob"));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("bob", Header(response, "x-deny-reason"));
        Assert.Equal("Basic realm=\"orders\"", Header(response, "www-authenticate"));
        Assert.Null(Header(response, "x-backend"));
    }

    [Theory]
    [InlineData("broken")]
    [InlineData("slow")]
    public async Task A_service_that_fails_or_does_not_answer_in_time_is_an_error_answered_with_status_on_error(string user)
    {
        await using var mesh = await AuthzMesh.StartAsync(f => f.StatusOnError = new HttpStatus { Code = StatusCode.ServiceUnavailable });
        using var response = await mesh.Client.SendAsync(Request(HttpMethod.Get, "/orders", user));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(string.Empty, await response.Content.ReadAsStringAsync());
        Assert.Empty(mesh.Backend.Requests);
        Assert.Contains("weft_ext_authz_total{stat=\"http.outbound_0.0.0.0_8080.ext_authz.error\"} 1", await mesh.StatsAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Failure_mode_allow_lets_a_request_through_when_the_service_fails_and_marks_it_when_asked()
    {
        await using var mesh = await AuthzMesh.StartAsync(f =>
        {
            f.FailureModeAllow = true;
            f.FailureModeAllowHeaderAdd = true;
        });
        using (var failed = await mesh.Client.SendAsync(Request(HttpMethod.Get, "/orders", "broken")))
        {
            Assert.Equal(HttpStatusCode.OK, failed.StatusCode);
        }

        using (var denied = await mesh.Client.SendAsync(Request(HttpMethod.Get, "/orders", "bob")))
        {
            // failure_mode_allow is about errors only: a denial still stands.
            Assert.Equal(HttpStatusCode.Unauthorized, denied.StatusCode);
        }

        var forwarded = Assert.Single(mesh.Backend.Requests);
        Assert.Equal("true", forwarded.Headers["x-envoy-auth-failure-mode-allowed"]);
        var stats = await mesh.StatsAsync();
        Assert.Contains("ext_authz.failure_mode_allowed\"} 1", stats, StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_request_body_the_service_sees_the_body_and_the_backend_still_gets_all_of_it_and_a_longer_body_is_413()
    {
        await using var mesh = await AuthzMesh.StartAsync(f => f.WithRequestBody = new BufferSettings { MaxRequestBytes = 16 });
        using (var small = Request(HttpMethod.Post, "/orders", "alice"))
        {
            small.Content = new StringContent("twelve bytes", Encoding.UTF8, "text/plain");
            using var response = await mesh.Client.SendAsync(small);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Assert.Equal("twelve bytes", mesh.Bodies.Single());
        Assert.Equal("12", Assert.Single(mesh.Service.Requests).Headers["content-length"]);
        Assert.Equal("twelve bytes", mesh.BackendBodies.Single());

        using var large = Request(HttpMethod.Post, "/orders", "alice");
        large.Content = new StringContent(new string('x', 100), Encoding.UTF8, "text/plain");
        using var refused = await mesh.Client.SendAsync(large);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, refused.StatusCode);
        Assert.Single(mesh.Service.Requests);
    }

    [Fact]
    public async Task An_ext_authz_filter_whose_cluster_is_missing_fails_closed()
    {
        await using var mesh = await AuthzMesh.StartAsync(f => f.HttpService.ServerUri.Cluster = "nowhere");
        using var response = await mesh.Client.SendAsync(Request(HttpMethod.Get, "/orders", "alice"));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Empty(mesh.Service.Requests);
        Assert.Empty(mesh.Backend.Requests);
    }

    [Fact]
    public async Task A_filter_without_a_timeout_is_refused_and_the_proxy_says_why()
    {
        await using var mesh = await AuthzMesh.StartAsync(f => f.HttpService.ServerUri.Timeout = null, expectReady: false);
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        Weft.Xds.Envoy.Service.Discovery.V3.DiscoveryRequest? rejection;
        while (!mesh.Plane.Rejections.TryPeek(out rejection))
        {
            await Task.Delay(10, deadline.Token);
        }

        Assert.Contains("server_uri.timeout", rejection.ErrorDetail.Message, StringComparison.Ordinal);
    }

    private static HttpRequestMessage Request(HttpMethod method, string path, string user)
    {
        var request = new HttpRequestMessage(method, "http://proxy" + path);
        request.Headers.Host = Host;
        request.Headers.Add("x-user", user);
        return request;
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) || response.Content.Headers.TryGetValues(name, out values) ? string.Join(", ", values) : null;

    private static ListStringMatcher Patterns(params string[] exact)
    {
        var list = new ListStringMatcher();
        list.Patterns.AddRange(exact.Select(e => new StringMatcher { Exact = e }));
        return list;
    }

    /// <summary>A proxy whose outbound listener runs ext_authz in front of the router, its authorization service and a backend.</summary>
    private sealed class AuthzMesh : IAsyncDisposable
    {
        private readonly TaskCompletionSource _hung;

        private AuthzMesh(Backend service, Backend backend, ScriptedControlPlane plane, RunningProxy proxy, TaskCompletionSource hung)
        {
            _hung = hung;
            Service = service;
            Backend = backend;
            Plane = plane;
            Proxy = proxy;
            Client = new HttpClient(new ProxyAddressing(proxy));
        }

        public Backend Service { get; }

        public Backend Backend { get; }

        public ScriptedControlPlane Plane { get; }

        public RunningProxy Proxy { get; }

        public HttpClient Client { get; }

        /// <summary>The bodies the service was sent, in order.</summary>
        public ConcurrentQueue<string> Bodies { get; } = new();

        public ConcurrentQueue<string> BackendBodies { get; } = new();

        public static async Task<AuthzMesh> StartAsync(Action<ExtAuthz> shape, bool expectReady = true)
        {
            AuthzMesh? mesh = null;
            var hung = new TaskCompletionSource();
            var service = await Support.Backend.StartAsync("authz", respond: async context => await DecideAsync(context, mesh!, hung.Task));
            var backend = await Support.Backend.StartAsync("backend", respond: async context =>
            {
                using var reader = new StreamReader(context.Request.Body);
                mesh!.BackendBodies.Enqueue(await reader.ReadToEndAsync());
                await context.Response.WriteAsync("backend");
            });

            var filter = new ExtAuthz
            {
                TransportApiVersion = ApiVersion.V3,
                AllowedHeaders = Patterns("x-user"),
                HttpService = new HttpService
                {
                    PathPrefix = "/check",
                    ServerUri = new HttpUri { Uri = "http://authz", Cluster = "authz", Timeout = Duration.FromTimeSpan(TimeSpan.FromMilliseconds(500)) },
                    AuthorizationRequest = new AuthorizationRequest { HeadersToAdd = { new HeaderValue { Key = "x-added-by-proxy", Value = "weft" } } },
                    AuthorizationResponse = new AuthorizationResponse
                    {
                        AllowedUpstreamHeaders = Patterns("x-authz-user", "x-authz-tags"),
                        AllowedClientHeadersOnSuccess = Patterns("x-authz-note"),
                    },
                },
            };
            shape(filter);
            var listener = XdsResources.HttpListener(8080, new HttpFilter { Name = "envoy.filters.http.ext_authz", TypedConfig = Any.Pack(filter) });

            var plane = await ScriptedControlPlane.StartAsync(
            [
                listener,
                XdsResources.Routes("8080", ("svc", "backend")),
                XdsResources.StaticCluster("backend", ("127.0.0.1", backend.Port)),
                XdsResources.StaticCluster("authz", ("127.0.0.1", service.Port)),
            ]);
            var proxy = await RunningProxy.StartAsync(plane.Address, waitReady: expectReady);
            mesh = new AuthzMesh(service, backend, plane, proxy, hung);
            return mesh;
        }

        public Task<string> StatsAsync() => Client.GetStringAsync(new Uri($"http://{Proxy.Host.StatsEndpoint}/stats/prometheus"));

        public async ValueTask DisposeAsync()
        {
            _hung.TrySetResult();
            Client.Dispose();
            await Proxy.DisposeAsync();

            await Plane.DisposeAsync();
            await Service.DisposeAsync();
            await Backend.DisposeAsync();
        }

        private static async Task DecideAsync(HttpContext context, AuthzMesh mesh, Task hung)
        {
            using (var reader = new StreamReader(context.Request.Body))
            {
                mesh.Bodies.Enqueue(await reader.ReadToEndAsync());
            }

            var response = context.Response;
            switch (context.Request.Headers["x-user"].ToString())
            {
                case "alice":
                    response.Headers["x-authz-user"] = "alice@example";
                    response.Headers.Append("x-authz-tags", "a");
                    response.Headers.Append("x-authz-tags", "b");
                    response.Headers["x-authz-ignored"] = "not allowed upstream";
                    response.Headers["x-authz-note"] = "granted";
                    response.Headers["x-envoy-auth-headers-to-remove"] = "x-secret";
                    return;
                case "bob":
                    response.StatusCode = StatusCodes.Status401Unauthorized;
                    response.ContentType = "application/json";
                    response.Headers.WWWAuthenticate = "Basic realm=\"orders\"";
                    response.Headers["x-deny-reason"] = "bob";
                    await response.WriteAsync("{\"error\":\"bob may not\"}");
                    return;
                case "broken":
                    response.StatusCode = StatusCodes.Status500InternalServerError;
                    return;
                default:
                    // A service that never answers (until the test ends): the proxy's timeout decides.
                    await hung.WaitAsync(context.RequestAborted);
                    return;
            }
        }
    }

    /// <summary>Sends every request to the proxy's outbound listener, keeping the request's own Host.</summary>
    private sealed class ProxyAddressing(RunningProxy proxy) : DelegatingHandler(new SocketsHttpHandler { UseProxy = false })
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.RequestUri!.Host == "proxy")
            {
                request.RequestUri = new Uri($"http://{proxy.Host.OutboundEndpoint}{request.RequestUri.PathAndQuery}");
            }

            return base.SendAsync(request, cancellationToken);
        }
    }
}
