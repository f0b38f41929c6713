using System.Net;
using Google.Protobuf;
using Microsoft.AspNetCore.Http;
using Weft.Proxy.Tests.Support;
using Weft.Xds.Envoy.Config.Core.V3;
using Weft.Xds.Envoy.Config.Route.V3;
using Weft.Xds.Envoy.Type.V3;
using static Weft.Proxy.Tests.Support.ResilienceMesh;

namespace Weft.Proxy.Tests.Http.Resilience;

/// <summary>
/// Request mirroring through a real proxy: the mirror cluster gets a copy with the Host marked <c>-shadow</c>, and
/// whatever the mirror does, the client's answer is the main cluster's.
/// </summary>
public sealed class MirrorTests
{
    [Fact]
    public async Task The_mirror_gets_a_copy_with_a_shadow_host_and_the_same_body()
    {
        var mirrored = new TaskCompletionSource<(Backend.Received Request, string Body)>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var main = await Backend.StartAsync("main");
        Backend? shadow = null;
        shadow = await Backend.StartAsync("shadow", respond: async context =>
        {
            var body = await new StreamReader(context.Request.Body).ReadToEndAsync();
            mirrored.TrySetResult((shadow!.Requests.Last(), body));
        });
        await using var _ = shadow;
        await using var plane = await ScriptedControlPlane.StartAsync(Mesh(main, shadow, Mirror("shadow")));
        await using var proxy = await Start(plane);

        using var request = new HttpRequestMessage(HttpMethod.Post, "/orders?id=7") { Content = new StringContent("{\"item\":42}") };
        request.Headers.Host = Authority;
        using var response = await proxy.Client.SendAsync(request);
        Assert.Equal("main", await response.Content.ReadAsStringAsync());

        var (copy, copyBody) = await mirrored.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("POST", copy.Method);
        Assert.Equal("/orders?id=7", copy.Target);
        Assert.Equal("svc.default.svc.cluster.local-shadow:8080", copy.Host);
        Assert.Equal("{\"item\":42}", copyBody);
        Assert.Equal(main.Requests.Single().Headers["x-request-id"], copy.Headers["x-request-id"]);
    }

    [Fact]
    public async Task Without_the_suffix_the_mirror_keeps_the_host_as_Istio_asks()
    {
        var mirrored = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var main = await Backend.StartAsync("main");
        await using var shadow = await Backend.StartAsync("shadow", respond: context =>
        {
            mirrored.TrySetResult(context.Request.Host.Value!);
            return Task.CompletedTask;
        });
        var policy = Mirror("shadow");
        policy.DisableShadowHostSuffixAppend = true;
        await using var plane = await ScriptedControlPlane.StartAsync(Mesh(main, shadow, policy));
        await using var proxy = await Start(plane);

        using var response = await proxy.GetAsync(Authority);
        Assert.Equal(Authority, await mirrored.Task.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task A_streaming_body_reaches_the_mirror_while_the_client_is_still_sending_it()
    {
        var firstPart = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var mirrored = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var main = await Backend.StartAsync("main", respond: async context =>
        {
            await new StreamReader(context.Request.Body).ReadToEndAsync();
            await context.Response.WriteAsync("main");
        });
        await using var shadow = await Backend.StartAsync("shadow", respond: async context =>
        {
            var received = new System.Text.StringBuilder();
            var buffer = new byte[64];
            int n;
            while ((n = await context.Request.Body.ReadAsync(buffer)) > 0)
            {
                received.Append(System.Text.Encoding.ASCII.GetString(buffer, 0, n));
                if (received.ToString().Contains("first;", StringComparison.Ordinal))
                {
                    firstPart.TrySetResult();
                }
            }

            mirrored.TrySetResult(received.ToString());
        });
        await using var plane = await ScriptedControlPlane.StartAsync(Mesh(main, shadow, Mirror("shadow")));
        await using var proxy = await Start(plane);

        // A chunked body sent in two parts: the second only once the mirror has the first.
        using var request = new HttpRequestMessage(HttpMethod.Post, "/stream") { Content = new TwoPartContent(firstPart.Task) };
        request.Headers.Host = Authority;
        request.Headers.TransferEncodingChunked = true;
        var sending = proxy.Client.SendAsync(request);

        using var response = await sending.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("main", await response.Content.ReadAsStringAsync());
        Assert.Equal("first;second", await mirrored.Task.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task A_hanging_or_failing_mirror_changes_nothing_for_the_client()
    {
        var release = new TaskCompletionSource();
        var arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var main = await Backend.StartAsync("main");
        await using var shadow = await Backend.StartAsync("shadow", respond: async context =>
        {
            arrived.TrySetResult();
            await release.Task.WaitAsync(context.RequestAborted);
            context.Response.StatusCode = 500;
        });
        var route = Route("/", ToCluster("main"));
        route.Route_.RequestMirrorPolicies.Add(Mirror("shadow"));
        route.Route_.RequestMirrorPolicies.Add(Mirror("nowhere"));
        var resources = Resources(VirtualHost(false, route), clusters: [("main", [(main.Port, 1)]), ("shadow", [(shadow.Port, 1)]), ("nowhere", [(Ports.Refusing(), 1)])]);
        await using var plane = await ScriptedControlPlane.StartAsync(resources);
        await using var proxy = await Start(plane);

        using var first = await proxy.GetAsync(Authority);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal("main", await first.Content.ReadAsStringAsync());

        // The mirror is still waiting for its answer, and the next request is answered all the same.
        await arrived.Task.WaitAsync(TimeSpan.FromSeconds(10));
        using var second = await proxy.GetAsync(Authority);
        Assert.Equal("main", await second.Content.ReadAsStringAsync());
        Assert.Equal(2, main.Requests.Count);
        release.SetResult();
    }

    /// <summary>"first;", flushed, then "second" once <paramref name="between"/> completes.</summary>
    private sealed class TwoPartContent(Task between) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context)
        {
            await stream.WriteAsync("first;"u8.ToArray());
            await stream.FlushAsync();
            await between.WaitAsync(TimeSpan.FromSeconds(10));
            await stream.WriteAsync("second"u8.ToArray());
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }

    private static RouteAction.Types.RequestMirrorPolicy Mirror(string cluster) => new()
    {
        Cluster = cluster,
        RuntimeFraction = new RuntimeFractionalPercent { DefaultValue = new FractionalPercent { Numerator = 100 } },
    };

    private static List<IMessage> Mesh(Backend main, Backend shadow, RouteAction.Types.RequestMirrorPolicy policy)
    {
        var route = Route("/", ToCluster("main"));
        route.Route_.RequestMirrorPolicies.Add(policy);
        return Resources(VirtualHost(false, route), clusters: [("main", [(main.Port, 1)]), ("shadow", [(shadow.Port, 1)])]);
    }

    private static Task<RunningProxy> Start(ScriptedControlPlane plane) => RunningProxy.StartAsync(plane.Address, o => o with { Random = () => 0 });
}
