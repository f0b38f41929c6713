using System.Diagnostics;
using System.Net;
using Microsoft.AspNetCore.Http;
using Weft.Proxy.Tests.Support;

namespace Weft.Proxy.Tests.Functional;

/// <summary>
/// AuthorizationPolicy end to end: a real control plane serving the canary example, and a real proxy that is the
/// product-catalog v1 workload (its node id names the WorkloadEntry), called on its inbound listener. A policy allowing
/// only GET on <c>/public/*</c> lets those through to the workload and answers everything else 403
/// <c>RBAC: access denied</c> without reaching it; deleting the policy opens the workload again.
/// </summary>
public sealed class AuthorizationTests
{
    private const string Workload = "sidecar~127.0.0.1~product-catalog-v1.default~default.svc.cluster.local";
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(30);

    private const string PublicGetOnly = """
        apiVersion: security.istio.io/v1
        kind: AuthorizationPolicy
        metadata:
          name: public-get-only
          namespace: default
        spec:
          selector:
            matchLabels:
              app: product-catalog
          rules:
          - to:
            - operation:
                methods: [GET]
                paths: ["/public/*"]
        """;

    [Fact]
    public async Task A_policy_allowing_only_GET_on_public_paths_is_enforced_on_the_inbound_listener_and_removing_it_opens_up_again()
    {
        await using var mesh = await CanaryMesh.StartAsync();
        await using var proxy = await RunningProxy.StartAsync(mesh.XdsAddress, nodeId: Workload);
        using var client = new HttpClient(new SocketsHttpHandler { UseProxy = false });

        using (var before = await SendAsync(client, proxy, HttpMethod.Post, "/private"))
        {
            Assert.Equal(HttpStatusCode.OK, before.StatusCode);
            Assert.Equal("v1", await before.Content.ReadAsStringAsync());
        }

        mesh.Write("authorization.yaml", PublicGetOnly);
        await EventuallyAsync(() => StatusAsync(client, proxy, "/private", HttpStatusCode.Forbidden), "the policy reaches the proxy");
        var reached = mesh.V1.Requests.Count;

        using (var allowed = await SendAsync(client, proxy, HttpMethod.Get, "/public/x"))
        {
            Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
            Assert.Equal("v1", await allowed.Content.ReadAsStringAsync());
        }

        foreach (var (method, path) in new[] { (HttpMethod.Post, "/public/x"), (HttpMethod.Get, "/private") })
        {
            using var denied = await SendAsync(client, proxy, method, path);
            Assert.Equal(HttpStatusCode.Forbidden, denied.StatusCode);
            Assert.Equal("RBAC: access denied", await denied.Content.ReadAsStringAsync());
        }

        Assert.Equal(reached + 1, mesh.V1.Requests.Count);
        Assert.Equal("/public/x", mesh.V1.Requests.Last().Target);
        var stats = await client.GetStringAsync(new Uri($"http://{proxy.Host.StatsEndpoint}/stats/prometheus"));
        Assert.Matches(@"weft_rbac_total\{stat=""http\.inbound_0\.0\.0\.0_\d+;\.rbac\.denied""\} [3-9]", stats);
        Assert.Contains("response_code=\"403\"", stats, StringComparison.Ordinal);

        mesh.Write("authorization.yaml", "# no policy any more\n");
        await EventuallyAsync(() => StatusAsync(client, proxy, "/private", HttpStatusCode.OK), "the policy's removal reaches the proxy");
        using var open = await SendAsync(client, proxy, HttpMethod.Post, "/private");
        Assert.Equal(HttpStatusCode.OK, open.StatusCode);
    }

    [Fact]
    public async Task A_custom_policy_asks_the_mesh_configs_http_authorization_service_for_the_paths_it_names()
    {
        // The authorization service: a real HTTP server, a mesh service by its ServiceEntry, allowing x-user: alice.
        await using var authz = await Backend.StartAsync("ext-authz", respond: context =>
        {
            var allowed = context.Request.Headers["x-user"] == "alice";
            context.Response.StatusCode = allowed ? 200 : 403;
            if (allowed)
            {
                context.Response.Headers["x-authz-checked"] = "yes";
            }

            return allowed ? Task.CompletedTask : context.Response.WriteAsync("denied by ext-authz");
        });
        var meshConfig = Weft.Control.Model.MeshConfigReader.Read("""
            extensionProviders:
            - name: sample-ext-authz
              envoyExtAuthzHttp:
                service: ext-authz.default.svc.cluster.local
                port: 8000
                timeout: 2s
                includeRequestHeadersInCheck: [x-user]
                headersToUpstreamOnAllow: [x-authz-checked]
            """, "mesh.yaml");
        await using var mesh = await CanaryMesh.StartAsync(meshConfig: meshConfig);
        mesh.Write("ext-authz.yaml", $$"""
            apiVersion: networking.istio.io/v1
            kind: ServiceEntry
            metadata:
              name: ext-authz
              namespace: default
            spec:
              hosts: [ext-authz.default.svc.cluster.local]
              location: MESH_INTERNAL
              ports:
              - {number: 8000, name: http, protocol: HTTP, targetPort: {{authz.Port}}}
              resolution: STATIC
              endpoints:
              - address: 127.0.0.1
            ---
            apiVersion: security.istio.io/v1
            kind: AuthorizationPolicy
            metadata:
              name: admin-via-ext-authz
              namespace: default
            spec:
              selector:
                matchLabels:
                  app: product-catalog
              action: CUSTOM
              provider:
                name: sample-ext-authz
              rules:
              - to:
                - operation:
                    paths: ["/admin/*"]
            """);
        await using var proxy = await RunningProxy.StartAsync(mesh.XdsAddress, nodeId: Workload);
        using var client = new HttpClient(new SocketsHttpHandler { UseProxy = false });

        await EventuallyAsync(() => StatusAsync(client, proxy, "/admin/x", HttpStatusCode.Forbidden), "the CUSTOM policy reaches the proxy");
        using (var denied = await SendAsync(client, proxy, HttpMethod.Get, "/admin/x"))
        {
            Assert.Equal(HttpStatusCode.Forbidden, denied.StatusCode);
            Assert.Equal("denied by ext-authz", await denied.Content.ReadAsStringAsync());
        }

        var reached = mesh.V1.Requests.Count;
        using (var allowed = await SendAsync(client, proxy, HttpMethod.Get, "/admin/x", ("x-user", "alice")))
        {
            Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        }

        Assert.Equal(reached + 1, mesh.V1.Requests.Count);
        Assert.Equal("yes", mesh.V1.Requests.Last().Headers["x-authz-checked"]);

        // Paths the policy does not name never go to the service.
        var checks = authz.Requests.Count;
        using (var open = await SendAsync(client, proxy, HttpMethod.Get, "/catalog"))
        {
            Assert.Equal(HttpStatusCode.OK, open.StatusCode);
        }

        Assert.Equal(checks, authz.Requests.Count);
        Assert.All(authz.Requests, r => Assert.StartsWith("/admin/", r.Target, StringComparison.Ordinal));
    }

    private static Task<HttpResponseMessage> SendAsync(HttpClient client, RunningProxy proxy, HttpMethod method, string path, params (string Name, string Value)[] headers)
    {
        var request = new HttpRequestMessage(method, $"http://{proxy.Host.InboundEndpoint}{path}");
        foreach (var (name, value) in headers)
        {
            request.Headers.Add(name, value);
        }

        request.Headers.Host = CanaryMesh.Host;
        return client.SendAsync(request);
    }

    private static async Task<bool> StatusAsync(HttpClient client, RunningProxy proxy, string path, HttpStatusCode status)
    {
        using var response = await SendAsync(client, proxy, HttpMethod.Get, path);
        return response.StatusCode == status;
    }

    private static async Task EventuallyAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(Generous.TotalSeconds * Stopwatch.Frequency);
        while (!await condition())
        {
            if (Stopwatch.GetTimestamp() > deadline)
            {
                throw new TimeoutException("timed out waiting until " + what);
            }

            await Task.Delay(50);
        }
    }
}
