using System.Net;
using Google.Protobuf.WellKnownTypes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Time.Testing;
using Weft.Proxy.Tests.Support;
using Weft.Xds.Envoy.Config.Cluster.V3;
using Percent = Weft.Xds.Envoy.Type.V3.Percent;

namespace Weft.Proxy.Tests.Upstream;

/// <summary>
/// Outlier detection on the proxy's clock (a <see cref="FakeTimeProvider"/>): backends that answer 500 get ejected after
/// consecutive errors, traffic goes to the others, and they come back when their ejection time is over.
/// </summary>
public sealed class OutlierDetectionTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private readonly List<Backend> _bad = [];
    private readonly List<Backend> _good = [];

    public async Task InitializeAsync()
    {
        for (var i = 0; i < 2; i++)
        {
            _bad.Add(await Backend.StartAsync($"bad{i}", respond: context =>
            {
                context.Response.StatusCode = StatusCodes.Status500InternalServerError;
                return Task.CompletedTask;
            }));
            _good.Add(await Backend.StartAsync($"good{i}"));
        }
    }

    public async Task DisposeAsync()
    {
        foreach (var backend in _bad.Concat(_good))
        {
            await backend.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_host_answering_5xx_is_ejected_comes_back_after_the_base_time_and_stays_out_twice_as_long_the_second_time()
    {
        var bad = _bad[0];
        await using var plane = await ScriptedControlPlane.StartAsync(OneCluster.Resources(Detecting(consecutive5xx: 3, maxPercent: 100), [bad, .. _good]));
        await using var proxy = await RunningProxy.StartAsync(plane.Address, o => o with { Time = _time });

        await SendUntilAsync(proxy, () => bad.Requests.Count == 3);
        Assert.Contains($"c::127.0.0.1:{bad.Port}::health_flags::/failed_outlier_check\n", await OneCluster.ClustersAsync(proxy));
        Assert.True(await EjectedInJsonAsync(proxy, bad));
        await AssertNoneReachAsync(proxy, bad);

        // Out for the base ejection time (10 s): the interval's sweep lets it back at 10 s, not before.
        await AdvanceAsync(proxy, bad, seconds: 9, out_: true);
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Contains($"c::127.0.0.1:{bad.Port}::health_flags::healthy\n", await OneCluster.ClustersAsync(proxy));

        // Straight back to failing: ejected again, now for twice the base time.
        await SendUntilAsync(proxy, () => bad.Requests.Count == 6);
        Assert.Contains($"c::127.0.0.1:{bad.Port}::health_flags::/failed_outlier_check\n", await OneCluster.ClustersAsync(proxy));
        await AdvanceAsync(proxy, bad, seconds: 19, out_: true);
        _time.Advance(TimeSpan.FromSeconds(1));
        await SendUntilAsync(proxy, () => bad.Requests.Count == 7);
    }

    [Fact]
    public async Task Max_ejection_percent_caps_how_many_hosts_are_out()
    {
        // Four hosts, 30%: one may be out (25%), a second would make 50%.
        await using var plane = await ScriptedControlPlane.StartAsync(OneCluster.Resources(Detecting(consecutive5xx: 2, maxPercent: 30), [.. _bad, .. _good]));
        await using var proxy = await RunningProxy.StartAsync(plane.Address, o => o with { Time = _time });

        // Both failing hosts reach two errors in a row; the first to do so is ejected, the second stays in.
        await SendUntilAsync(proxy, () => _bad.Sum(b => b.Requests.Count) >= 5);
        var clusters = await OneCluster.ClustersAsync(proxy);
        Assert.Equal(1, clusters.Split('\n').Count(l => l.EndsWith("::health_flags::/failed_outlier_check", StringComparison.Ordinal)));

        var before = _bad.Select(b => b.Requests.Count).ToList();
        for (var i = 0; i < 12; i++)
        {
            (await proxy.GetAsync(OneCluster.Authority)).Dispose();
        }

        var reached = _bad.Select((b, i) => b.Requests.Count - before[i]).ToList();
        Assert.Equal(1, reached.Count(n => n == 0)); // the ejected one
        Assert.Equal(1, reached.Count(n => n > 0)); // the other, still failing, still in
    }

    [Fact]
    public async Task With_Envoys_default_10_percent_a_small_cluster_ejects_nobody()
    {
        await using var plane = await ScriptedControlPlane.StartAsync(OneCluster.Resources(Detecting(consecutive5xx: 2, maxPercent: null), [_bad[0], .. _good]));
        await using var proxy = await RunningProxy.StartAsync(plane.Address, o => o with { Time = _time });

        await SendUntilAsync(proxy, () => _bad[0].Requests.Count >= 6);
        Assert.DoesNotContain("/failed_outlier_check", await OneCluster.ClustersAsync(proxy));
    }

    [Theory]
    [InlineData(50, HttpStatusCode.InternalServerError)] // every host out: the cluster panics and uses them anyway
    [InlineData(0, HttpStatusCode.ServiceUnavailable)] // Istio's minHealthPercent default: no panic, no healthy upstream
    public async Task With_every_host_ejected_the_panic_threshold_decides(int panicThreshold, HttpStatusCode expected)
    {
        var cluster = Detecting(consecutive5xx: 1, maxPercent: 100);
        cluster.CommonLbConfig = new Cluster.Types.CommonLbConfig { HealthyPanicThreshold = new Percent { Value = panicThreshold } };
        await using var plane = await ScriptedControlPlane.StartAsync(OneCluster.Resources(cluster, _bad));
        await using var proxy = await RunningProxy.StartAsync(plane.Address, o => o with { Time = _time });

        await SendUntilAsync(proxy, () => _bad.All(b => !b.Requests.IsEmpty));
        using var response = await proxy.GetAsync(OneCluster.Authority);
        Assert.Equal(expected, response.StatusCode);
        if (expected == HttpStatusCode.ServiceUnavailable)
        {
            Assert.Equal("no healthy upstream", await response.Content.ReadAsStringAsync());
        }
    }

    [Fact]
    public async Task Gateway_errors_eject_only_when_enforced_and_connect_failures_count_as_gateway_errors()
    {
        var cluster = Detecting(consecutive5xx: 0, maxPercent: 100);
        cluster.OutlierDetection.ConsecutiveGatewayFailure = 2;
        cluster.OutlierDetection.EnforcingConsecutiveGatewayFailure = 100;
        var closed = Ports.Refusing();
        var resources = OneCluster.Resources(cluster, _good).ToList();
        var assignment = XdsResources.Assignment("c", ("127.0.0.1", _good[0].Port), ("127.0.0.1", closed));
        resources[^1] = assignment;
        await using var plane = await ScriptedControlPlane.StartAsync(resources);
        await using var proxy = await RunningProxy.StartAsync(plane.Address, o => o with { Time = _time });

        var failures = 0;
        for (var i = 0; i < 10; i++)
        {
            using var response = await proxy.GetAsync(OneCluster.Authority);
            failures += response.StatusCode == HttpStatusCode.ServiceUnavailable ? 1 : 0;
        }

        Assert.Equal(2, failures); // two connect failures, then the closed port is out
        Assert.Contains($"c::127.0.0.1:{closed}::health_flags::/failed_outlier_check\n", await OneCluster.ClustersAsync(proxy));
        Assert.Contains($"c::127.0.0.1:{closed}::cx_connect_fail::2\n", await OneCluster.ClustersAsync(proxy));
    }

    [Fact]
    public async Task An_ejection_outlives_a_resend_of_the_same_cluster_and_not_a_change_to_it()
    {
        var bad = _bad[0];
        var resources = OneCluster.Resources(Detecting(consecutive5xx: 2, maxPercent: 100), [bad, .. _good]).ToList();
        await using var plane = await ScriptedControlPlane.StartAsync(resources);
        await using var proxy = await RunningProxy.StartAsync(plane.Address, o => o with { Time = _time });
        await SendUntilAsync(proxy, () => bad.Requests.Count == 2);
        var ejected = $"c::127.0.0.1:{bad.Port}::health_flags::/failed_outlier_check\n";
        Assert.Contains(ejected, await OneCluster.ClustersAsync(proxy));

        // The control plane sends everything again, unchanged (as Istio does on any push): the cluster keeps its state.
        await PushAndWaitAsync(plane, proxy, resources.Select(Copy));
        Assert.Contains(ejected, await OneCluster.ClustersAsync(proxy));
        await AssertNoneReachAsync(proxy, bad);

        // A changed cluster is a new cluster, as in Envoy: its hosts start healthy.
        var changed = resources.Select(Copy).ToList();
        changed.OfType<Cluster>().Single().ConnectTimeout = Duration.FromTimeSpan(TimeSpan.FromSeconds(3));
        await PushAndWaitAsync(plane, proxy, changed);
        Assert.Contains($"c::127.0.0.1:{bad.Port}::health_flags::healthy\n", await OneCluster.ClustersAsync(proxy));
    }

    /// <summary>What <c>/clusters?format=json</c> says about the host: <c>health_status.failed_outlier_check</c>.</summary>
    private static async Task<bool> EjectedInJsonAsync(RunningProxy proxy, Backend backend)
    {
        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false });
        using var json = System.Text.Json.JsonDocument.Parse(await http.GetStringAsync(new Uri(proxy.Admin, "/clusters?format=json")));
        var host = json.RootElement.GetProperty("cluster_statuses")[0].GetProperty("host_statuses").EnumerateArray()
            .Single(h => h.GetProperty("address").GetProperty("socket_address").GetProperty("port_value").GetInt32() == backend.Port);
        return host.GetProperty("health_status").TryGetProperty("failed_outlier_check", out var flag) && flag.GetBoolean();
    }

    private static Google.Protobuf.IMessage Copy(Google.Protobuf.IMessage message) => message.Descriptor.Parser.ParseFrom(Google.Protobuf.MessageExtensions.ToByteArray(message));

    private static async Task PushAndWaitAsync(ScriptedControlPlane plane, RunningProxy proxy, IEnumerable<Google.Protobuf.IMessage> resources)
    {
        var generation = proxy.Host.State.Current!.Generation;
        await plane.PushAsync(resources);
        await OneCluster.EventuallyAsync(() => proxy.Host.State.Current!.Generation > generation, "the pushed configuration to be in force");
    }

    private static Cluster Detecting(int consecutive5xx, int? maxPercent)
    {
        var cluster = OneCluster.Cluster();
        cluster.OutlierDetection = new OutlierDetection
        {
            Consecutive5Xx = (uint)consecutive5xx,
            Interval = Duration.FromTimeSpan(TimeSpan.FromSeconds(1)),
            BaseEjectionTime = Duration.FromTimeSpan(TimeSpan.FromSeconds(10)),
            MaxEjectionPercent = maxPercent is { } p ? (uint)p : null,
        };
        return cluster;
    }

    /// <summary>Sends requests one at a time until the condition holds (bounded).</summary>
    private static async Task SendUntilAsync(RunningProxy proxy, Func<bool> condition)
    {
        for (var i = 0; i < 100 && !condition(); i++)
        {
            (await proxy.GetAsync(OneCluster.Authority)).Dispose();
        }

        Assert.True(condition(), "100 requests did not get there");
    }

    private static async Task AssertNoneReachAsync(RunningProxy proxy, Backend ejected)
    {
        var before = ejected.Requests.Count;
        for (var i = 0; i < 9; i++)
        {
            using var response = await proxy.GetAsync(OneCluster.Authority);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Assert.Equal(before, ejected.Requests.Count);
    }

    /// <summary>Moves the proxy's clock a second at a time (one outlier sweep each), checking the host stays out.</summary>
    private async Task AdvanceAsync(RunningProxy proxy, Backend ejected, int seconds, bool out_)
    {
        for (var i = 0; i < seconds; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(1));
            if (out_)
            {
                await AssertNoneReachAsync(proxy, ejected);
            }
        }
    }
}
