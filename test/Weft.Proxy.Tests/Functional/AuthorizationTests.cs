using System.Diagnostics;
using System.Net;
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

    private static Task<HttpResponseMessage> SendAsync(HttpClient client, RunningProxy proxy, HttpMethod method, string path)
    {
        var request = new HttpRequestMessage(method, $"http://{proxy.Host.InboundEndpoint}{path}");
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
