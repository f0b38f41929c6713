using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Time.Testing;
using Weft.Cli.Sample;
using Weft.Cli.Tests.Support;
using Weft.Cli.Up;
using Weft.Cli.Up.Traffic;

namespace Weft.Cli.Tests.Up;

/// <summary>
/// The traffic generator against real servers on loopback. Without a proxy in between, the server it sends to stands where the
/// client proxy would be; the Host header still names the service.
/// </summary>
public sealed class TrafficGeneratorTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private static readonly TrafficTarget Catalog = new("product-catalog.default.svc.cluster.local", 8080, "default/product-catalog", "virtual-service.yaml");

    private static string Describe(TrafficStats stats) => TrafficText.Total(stats, stats.Totals());

    [Fact]
    public async Task Answers_are_counted_by_the_version_header_and_carry_the_service_in_host()
    {
        await using var sample = await SampleWorkload.StartAsync(new SampleWorkloadOptions("product-catalog", "v2", "product-catalog-v2", new IPEndPoint(IPAddress.Loopback, 0)));
        await using var traffic = new TrafficGenerator(sample.Endpoint, [Catalog], 200, TimeProvider.System);
        var stats = traffic.Stats[0];

        traffic.Start();
        await Eventually.TrueAsync(() => stats.Totals().Requests >= 20, Timeout, () => Describe(stats));
        await traffic.StopAsync();

        var totals = stats.Totals();
        Assert.Equal(0, totals.Failures);
        Assert.Equal("v2", Assert.Single(totals.Versions).Key);
    }

    [Fact]
    public async Task The_host_header_names_the_service_and_its_port_and_a_body_version_counts_without_the_header()
    {
        await using var backend = await TestBackend.StartAsync(200, """{"service":"x","version":"v7"}""");
        await using var traffic = new TrafficGenerator(backend.Endpoint, [Catalog], 200, TimeProvider.System);

        traffic.Start();
        await Eventually.TrueAsync(() => traffic.Stats[0].Totals().Requests >= 5, Timeout, () => Describe(traffic.Stats[0]));
        await traffic.StopAsync();

        Assert.All(backend.Hosts, h => Assert.Equal("product-catalog.default.svc.cluster.local:8080", h));
        Assert.Equal("v7", Assert.Single(traffic.Stats[0].Totals().Versions).Key);
    }

    [Fact]
    public async Task Status_500_and_above_is_a_failure_with_its_reason()
    {
        await using var backend = await TestBackend.StartAsync(503, "no healthy upstream\n");
        await using var traffic = new TrafficGenerator(backend.Endpoint, [Catalog], 200, TimeProvider.System);

        traffic.Start();
        await Eventually.TrueAsync(() => traffic.Stats[0].Totals().Failures >= 5, Timeout, () => Describe(traffic.Stats[0]));
        await traffic.StopAsync();

        Assert.Equal(0, traffic.Stats[0].Totals().Answered);
        Assert.Equal("503: no healthy upstream", traffic.Stats[0].LastFailure);
    }

    [Fact]
    public async Task An_answer_below_500_without_a_version_counts_as_none()
    {
        await using var backend = await TestBackend.StartAsync(404, "not found");
        await using var traffic = new TrafficGenerator(backend.Endpoint, [Catalog], 200, TimeProvider.System);

        traffic.Start();
        await Eventually.TrueAsync(() => traffic.Stats[0].Totals().Requests >= 5, Timeout, () => Describe(traffic.Stats[0]));
        await traffic.StopAsync();

        Assert.Equal(0, traffic.Stats[0].Totals().Failures);
        Assert.Equal(TrafficGenerator.NoVersion, Assert.Single(traffic.Stats[0].Totals().Versions).Key);
    }

    [Fact]
    public async Task No_listener_is_a_failure()
    {
        IPEndPoint closed;
        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            closed = (IPEndPoint)listener.LocalEndpoint;
        }

        await using var traffic = new TrafficGenerator(closed, [Catalog], 200, TimeProvider.System);
        traffic.Start();
        await Eventually.TrueAsync(() => traffic.Stats[0].Totals().Failures >= 3, Timeout, () => Describe(traffic.Stats[0]));
        await traffic.StopAsync();

        Assert.Equal(0, traffic.Stats[0].Totals().Answered);
        Assert.Contains("refused", traffic.Stats[0].LastFailure, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task It_sends_rate_times_elapsed_requests_to_each_target()
    {
        var time = new FakeTimeProvider();
        await using var sample = await SampleWorkload.StartAsync(new SampleWorkloadOptions("product-catalog", "v1", "product-catalog-v1", new IPEndPoint(IPAddress.Loopback, 0)));
        var other = Catalog with { Host = "ratings.default.svc.cluster.local" };
        await using var traffic = new TrafficGenerator(sample.Endpoint, [Catalog, other], 20, time);

        traffic.Start();
        time.Advance(TimeSpan.FromSeconds(1));
        await Eventually.TrueAsync(() => traffic.Stats.All(s => s.Totals().Requests >= 20), Timeout, () => string.Join("; ", traffic.Stats.Select(Describe)));

        Assert.All(traffic.Stats, s => Assert.Equal(20, s.Totals().Requests));
        Assert.All(traffic.Stats, s => Assert.Equal(0, s.Totals().Failures));
    }
}
