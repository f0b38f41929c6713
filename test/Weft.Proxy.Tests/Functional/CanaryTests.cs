using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Weft.Proxy.Tests.Support;
using Xunit.Abstractions;

namespace Weft.Proxy.Tests.Functional;

/// <summary>
/// The canary example end to end: a real <c>weft control</c> serving a copy of examples/canary, the proxy as the client's
/// sidecar, two backends answering their version, and an HTTP client sending through the proxy's outbound listener
/// with Host <c>product-catalog.default.svc.cluster.local:8080</c>.
/// </summary>
public sealed class CanaryTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Splits_90_10_over_2000_requests()
    {
        await using var mesh = await CanaryMesh.StartAsync();
        await using var proxy = await RunningProxy.StartAsync(mesh.XdsAddress);

        var versions = await SendAsync(proxy, 2000);
        Assert.All(versions, v => Assert.True(v is "v1" or "v2", $"unexpected answer {v}"));
        var v2 = versions.Count(v => v == "v2");
        output.WriteLine($"v1 {2000 - v2}, v2 {v2} of 2000 ({v2 / 20.0:F1}% to v2)");
        Assert.InRange(v2, 140, 260); // 10% ± 3%
    }

    [Fact]
    public async Task Testers_with_x_canary_always_reach_v2()
    {
        await using var mesh = await CanaryMesh.StartAsync();
        await using var proxy = await RunningProxy.StartAsync(mesh.XdsAddress);

        var versions = await SendAsync(proxy, 200, ("x-canary", "always"));
        Assert.All(versions, v => Assert.Equal("v2", v));
        Assert.Empty(mesh.V1.Requests);
    }

    [Fact]
    public async Task Editing_the_weights_to_0_100_moves_all_traffic_to_v2_without_a_failed_request()
    {
        await using var mesh = await CanaryMesh.StartAsync();
        await using var proxy = await RunningProxy.StartAsync(mesh.XdsAddress);
        await using var traffic = Traffic.Start(proxy, workers: 4);
        await traffic.WaitForAsync(r => r.Body == "v1", Generous);

        var edited = Stopwatch.GetTimestamp();
        var editedAt = DateTimeOffset.UtcNow;
        mesh.SetWeights(0, 100);

        // Done once 500 answers in a row came from v2.
        var moved = await traffic.WaitForRunAsync(r => r.Body == "v2", 500, Generous);
        var elapsed = Stopwatch.GetElapsedTime(edited);
        await traffic.StopAsync();

        var lastV1 = traffic.Results.Where(r => r.Body == "v1").Select(r => r.At).DefaultIfEmpty(editedAt).Max();
        output.WriteLine($"edit at {editedAt:HH:mm:ss.fff}; last v1 answer {(lastV1 - editedAt).TotalMilliseconds:F0} ms after it; 500 v2 answers in a row {elapsed.TotalMilliseconds:F0} ms after it; {traffic.Results.Count} requests in all");
        Assert.True(moved);
        Assert.All(traffic.Results, r => Assert.Equal(HttpStatusCode.OK, r.Status));
        Assert.Empty(traffic.Failures);
    }

    [Fact]
    public async Task An_unknown_host_answers_404_and_a_service_without_endpoints_503()
    {
        await using var mesh = await CanaryMesh.StartAsync(startPlane: false);
        mesh.Write("empty.yaml", """
            apiVersion: networking.istio.io/v1
            kind: ServiceEntry
            metadata:
              name: inventory
              namespace: default
            spec:
              hosts: [inventory.default.svc.cluster.local]
              location: MESH_INTERNAL
              ports:
              - number: 8080
                name: http
                protocol: HTTP
              resolution: STATIC
              workloadSelector:
                labels:
                  app: inventory
            """);
        await mesh.StartPlaneAsync("127.0.0.1:0");
        await using var proxy = await RunningProxy.StartAsync(mesh.XdsAddress);

        // No listener takes port 9999: no route (404, NR). On a declared port Istio's route configuration ends with
        // allow_any, which passes unknown hosts through to where they were addressed, as Envoy does.
        using var unknown = await proxy.GetAsync("unknown.example:9999");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);

        using var empty = await proxy.GetAsync("inventory.default.svc.cluster.local:8080");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, empty.StatusCode);
        Assert.Equal("no healthy upstream", await empty.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Keeps_serving_while_the_control_plane_is_gone_and_follows_a_new_one_on_the_same_address()
    {
        await using var mesh = await CanaryMesh.StartAsync();
        var address = mesh.XdsAddress;
        await using var proxy = await RunningProxy.StartAsync(address);
        Assert.Contains("v1", await SendAsync(proxy, 20));

        await mesh.StopPlaneAsync();
        await Eventually(() => !proxy.Host.XdsStatus.Connected, "the proxy notices the control plane is gone");
        var meanwhile = await SendAsync(proxy, 200);
        Assert.All(meanwhile, v => Assert.True(v is "v1" or "v2", $"unexpected answer {v} while the control plane was away"));
        Assert.Contains("v1", meanwhile);

        // A new control plane on the same address: the proxy reconnects by itself, and follows an edit made after.
        await mesh.StartPlaneAsync(address);
        await Eventually(() => proxy.Host.XdsStatus.Connected, "the proxy reconnects");
        await using var traffic = Traffic.Start(proxy, workers: 2);
        var edited = Stopwatch.GetTimestamp();
        mesh.SetWeights(0, 100);
        Assert.True(await traffic.WaitForRunAsync(r => r.Body == "v2", 200, Generous));
        output.WriteLine($"all traffic on v2 {Stopwatch.GetElapsedTime(edited).TotalMilliseconds:F0} ms after the edit served by the new control plane");
        await traffic.StopAsync();
        Assert.Empty(traffic.Failures);
        Assert.All(traffic.Results, r => Assert.Equal(HttpStatusCode.OK, r.Status));
    }

    [Fact]
    public async Task Is_not_ready_before_a_complete_configuration_and_ready_after_and_dumps_the_canary()
    {
        await using var mesh = await CanaryMesh.StartAsync(startPlane: false);
        var address = CanaryMesh.FreeAddress();
        await using var proxy = await RunningProxy.StartAsync(address, waitReady: false);
        using var client = new HttpClient();

        using (var before = await client.GetAsync(new Uri(proxy.Health, "/healthz/ready")))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, before.StatusCode);
        }

        await mesh.StartPlaneAsync(address);
        await proxy.Host.WaitUntilReadyAsync().WaitAsync(Generous);
        using (var after = await client.GetAsync(new Uri(proxy.Health, "/healthz/ready")))
        {
            Assert.Equal(HttpStatusCode.OK, after.StatusCode);
        }

        using var dump = JsonDocument.Parse(await client.GetStringAsync(new Uri(proxy.Admin, "/config_dump")));
        var configs = dump.RootElement.GetProperty("configs").EnumerateArray().ToDictionary(c => c.GetProperty("@type").GetString()!);
        var clusters = configs["type.googleapis.com/envoy.admin.v3.ClustersConfigDump"].GetProperty("dynamic_active_clusters").EnumerateArray()
            .Select(c => c.GetProperty("cluster").GetProperty("name").GetString()).ToList();
        Assert.Contains("outbound|8080|v1|product-catalog.default.svc.cluster.local", clusters);
        Assert.Contains("outbound|8080|v2|product-catalog.default.svc.cluster.local", clusters);
        Assert.Contains("outbound|8080||product-catalog.default.svc.cluster.local", clusters);
        var routes = configs["type.googleapis.com/envoy.admin.v3.RoutesConfigDump"].GetProperty("dynamic_route_configs").EnumerateArray().ToList();
        var route = Assert.Single(routes, r => r.GetProperty("route_config").GetProperty("name").GetString() == "8080");
        var names = route.GetProperty("route_config").GetProperty("virtual_hosts")[0].GetProperty("routes").EnumerateArray().Select(r => r.GetProperty("name").GetString());
        Assert.Equal(["testers-see-v2", "canary-split"], names);
    }

    /// <summary>Sends requests through the proxy, 16 at a time, and returns each answer's body (or "HTTP status").</summary>
    private static async Task<List<string>> SendAsync(RunningProxy proxy, int count, params (string Name, string Value)[] headers)
    {
        var answers = new ConcurrentBag<string>();
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (_, cancel) =>
        {
            using var response = await proxy.GetAsync(CanaryMesh.Host, "/products", headers);
            var body = await response.Content.ReadAsStringAsync(cancel);
            answers.Add(response.StatusCode == HttpStatusCode.OK ? body : $"HTTP {(int)response.StatusCode} {body}");
        });
        return [.. answers];
    }

    private static async Task Eventually(Func<bool> condition, string what)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(Generous.TotalSeconds * Stopwatch.Frequency);
        while (!condition())
        {
            if (Stopwatch.GetTimestamp() > deadline)
            {
                throw new TimeoutException("timed out waiting until " + what);
            }

            await Task.Delay(20);
        }
    }

    /// <summary>Steady traffic through the proxy from a few workers, every answer recorded with its time.</summary>
    private sealed class Traffic : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly Task[] _workers;
        private readonly object _gate = new();
        private readonly List<Answer> _results = [];

        private Traffic(RunningProxy proxy, int workers)
        {
            _workers = Enumerable.Range(0, workers).Select(_ => Task.Run(() => RunAsync(proxy))).ToArray();
        }

        public List<Answer> Results
        {
            get
            {
                lock (_gate)
                {
                    return [.. _results];
                }
            }
        }

        public ConcurrentQueue<Exception> Failures { get; } = new();

        public static Traffic Start(RunningProxy proxy, int workers) => new(proxy, workers);

        /// <summary>Waits until some answer satisfies the condition.</summary>
        public async Task WaitForAsync(Func<Answer, bool> condition, TimeSpan timeout)
        {
            using var bound = new CancellationTokenSource(timeout);
            while (!Results.Any(condition))
            {
                await Task.Delay(10, bound.Token);
            }
        }

        /// <summary>Waits until the last <paramref name="run"/> answers all satisfy the condition; false on timeout.</summary>
        public async Task<bool> WaitForRunAsync(Func<Answer, bool> condition, int run, TimeSpan timeout)
        {
            var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
            while (Stopwatch.GetTimestamp() < deadline)
            {
                var results = Results;
                if (results.Count >= run && results.Skip(results.Count - run).All(condition))
                {
                    return true;
                }

                await Task.Delay(10);
            }

            return false;
        }

        public async Task StopAsync()
        {
            await _stop.CancelAsync();
            await Task.WhenAll(_workers);
        }

        public async ValueTask DisposeAsync()
        {
            if (!_stop.IsCancellationRequested)
            {
                await StopAsync();
            }

            _stop.Dispose();
        }

        private async Task RunAsync(RunningProxy proxy)
        {
            while (!_stop.IsCancellationRequested)
            {
                try
                {
                    using var response = await proxy.GetAsync(CanaryMesh.Host, "/products");
                    var body = await response.Content.ReadAsStringAsync();
                    lock (_gate)
                    {
                        _results.Add(new Answer(DateTimeOffset.UtcNow, response.StatusCode, body));
                    }
                }
                catch (Exception e) when (!_stop.IsCancellationRequested)
                {
                    Failures.Enqueue(e);
                }
                catch (Exception) when (_stop.IsCancellationRequested)
                {
                }
            }
        }
    }

    private sealed record Answer(DateTimeOffset At, HttpStatusCode Status, string Body);
}
