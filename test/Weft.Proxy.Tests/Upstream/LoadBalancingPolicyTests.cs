using System.Net;
using System.Threading.Channels;
using Microsoft.AspNetCore.Http;
using Weft.Proxy.Tests.Support;
using LbPolicy = Weft.Xds.Envoy.Config.Cluster.V3.Cluster.Types.LbPolicy;

namespace Weft.Proxy.Tests.Upstream;

/// <summary>The cluster's lb_policy, seen from a client through a real proxy in front of real backends.</summary>
public sealed class LoadBalancingPolicyTests
{
    [Fact]
    public async Task Least_request_sends_most_requests_to_the_idle_host_while_the_other_holds_requests()
    {
        var held = Channel.CreateUnbounded<bool>();
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var slow = await Backend.StartAsync("slow", respond: async context =>
        {
            held.Writer.TryWrite(true);
            await release.Task.WaitAsync(context.RequestAborted);
            await context.Response.WriteAsync("slow");
        });
        await using var fast = await Backend.StartAsync("fast");
        await using var plane = await ScriptedControlPlane.StartAsync(OneCluster.Resources(OneCluster.Cluster(LbPolicy.LeastRequest), [slow, fast]));
        await using var proxy = await RunningProxy.StartAsync(plane.Address, o => o with { Random = OneCluster.Draws(7) });

        // One request at a time: each either comes back from the fast host or is held by the slow one.
        var requests = new List<Task<HttpResponseMessage>>();
        var toSlow = 0;
        for (var i = 0; i < 200; i++)
        {
            var request = proxy.GetAsync(OneCluster.Authority, $"/{i}");
            requests.Add(request);
            var arrived = held.Reader.WaitToReadAsync().AsTask();
            if (await Task.WhenAny(request, arrived).WaitAsync(TimeSpan.FromSeconds(10)) == arrived && held.Reader.TryRead(out _))
            {
                toSlow++;
            }
        }

        // Round robin would give the slow host half; two random choices give it a request only when both land on it.
        Assert.InRange(toSlow, 20, 80);
        release.TrySetResult();
        foreach (var response in await Task.WhenAll(requests).WaitAsync(TimeSpan.FromSeconds(30)))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            response.Dispose();
        }
    }

    [Fact]
    public async Task Random_spreads_requests_over_every_host()
    {
        var backends = new List<Backend>();
        for (var i = 0; i < 4; i++)
        {
            backends.Add(await Backend.StartAsync($"b{i}"));
        }

        try
        {
            await using var plane = await ScriptedControlPlane.StartAsync(OneCluster.Resources(OneCluster.Cluster(LbPolicy.Random), backends));
            await using var proxy = await RunningProxy.StartAsync(plane.Address, o => o with { Random = OneCluster.Draws(11) });
            for (var i = 0; i < 400; i++)
            {
                using var response = await proxy.GetAsync(OneCluster.Authority);
                response.EnsureSuccessStatusCode();
            }

            Assert.All(backends, b => Assert.InRange(b.Requests.Count, 50, 150));
        }
        finally
        {
            foreach (var backend in backends)
            {
                await backend.DisposeAsync();
            }
        }
    }
}
