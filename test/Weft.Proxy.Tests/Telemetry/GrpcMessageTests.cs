using System.Buffers.Binary;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Time.Testing;
using Weft.Proxy.Telemetry;
using Weft.Proxy.Tests.Support;

namespace Weft.Proxy.Tests.Telemetry;

/// <summary>
/// Istio's gRPC message counters (<c>istio_request_messages_total</c>, <c>istio_response_messages_total</c>): the
/// length-prefixed messages of a gRPC request's and response's bodies, counted as they stream through a real proxy.
/// </summary>
public sealed class GrpcMessageTests
{
    /// <summary>The labels Istio's stats filter gives the message counters: the peers only.</summary>
    private static readonly string[] PeerLabels =
    [
        "reporter", "source_workload", "source_canonical_service", "source_canonical_revision", "source_workload_namespace",
        "source_principal", "source_app", "source_version", "source_cluster", "destination_workload", "destination_workload_namespace",
        "destination_principal", "destination_app", "destination_version", "destination_service", "destination_canonical_service",
        "destination_canonical_revision", "destination_service_name", "destination_service_namespace", "destination_cluster",
    ];

    /// <summary>Istio's outbound peer metadata filter, through which the client proxy learns the server's workload.</summary>
    private static readonly Weft.Xds.Envoy.Extensions.Filters.Network.HttpConnectionManager.V3.HttpFilter OutboundExchange = new()
    {
        Name = Weft.Xds.MetadataExchangeFilters.FilterName,
        TypedConfig = Weft.Xds.MetadataExchangeFilters.HttpOutbound(),
    };

    [Fact]
    public async Task A_gRPC_calls_request_and_response_messages_are_counted_with_the_peer_labels()
    {
        await using var backend = await Backend.StartAsync("grpc", respond: async context =>
        {
            // Reads the whole request, then answers two messages, the second in two writes.
            using var drained = new MemoryStream();
            await context.Request.Body.CopyToAsync(drained);
            context.Response.ContentType = "application/grpc";
            var answer = Messages(4, 1000);
            await context.Response.Body.WriteAsync(answer.AsMemory(0, 7));
            await context.Response.Body.WriteAsync(answer.AsMemory(7));
        });
        await using var plane = await ScriptedControlPlane.StartAsync(OneCluster.Resources(OneCluster.Cluster(), [backend], firstFilter: OutboundExchange));
        await using var proxy = await RunningProxy.StartAsync(plane.Address);

        using (var request = new HttpRequestMessage(HttpMethod.Post, "/pkg.Service/Stream") { Content = new StreamContent(new TrickleStream(Messages(0, 3, 7000))) })
        {
            request.Headers.Host = OneCluster.Authority;
            request.Content.Headers.ContentType = new("application/grpc");
            using var response = await proxy.Client.SendAsync(request);
            Assert.Equal(Messages(4, 1000), await response.Content.ReadAsByteArrayAsync());
        }

        using (var plain = await proxy.GetAsync(OneCluster.Authority))
        {
            plain.EnsureSuccessStatusCode();
        }

        await OneCluster.EventuallyAsync(() => proxy.Host.Telemetry.Metrics.RequestsRecorded.Value >= 2, "both requests to be recorded");
        var scrape = await PrometheusScrape.GetAsync(proxy.Admin);
        var requests = Assert.Single(scrape.Find("istio_request_messages_total"));
        var responses = Assert.Single(scrape.Find("istio_response_messages_total"));
        Assert.Equal(3, requests.Value);
        Assert.Equal(2, responses.Value);
        Assert.Equal(PeerLabels, requests.LabelNames);
        Assert.Equal(PeerLabels, responses.LabelNames);
        Assert.Equal("source", requests.Label("reporter"));
        Assert.Equal("counter", scrape.Types["istio_request_messages_total"]);
    }

    [Fact]
    public async Task A_streams_messages_are_reported_every_interval_while_it_lasts()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var finish = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var server = new PeerMetadataExchange(
            "sidecar~10.0.0.9~server.default~default.svc.cluster.local",
            "server",
            WorkloadMetadata.Local("server", "default", new Dictionary<string, string> { ["app"] = "server" }, "Kubernetes"));
        await using var backend = await Backend.StartAsync("grpc", respond: async context =>
        {
            // The server's sidecar describes it; two messages now, the last once the test says so.
            context.Response.ContentType = "application/grpc";
            context.Response.Headers[PeerMetadataExchange.MetadataHeader] = server.LocalMetadata;
            await context.Request.Body.CopyToAsync(Stream.Null);
            await context.Response.Body.WriteAsync(Messages(20, 20));
            await context.Response.Body.FlushAsync();
            await finish.Task.WaitAsync(context.RequestAborted);
            await context.Response.Body.WriteAsync(Messages(20));
        });
        await using var plane = await ScriptedControlPlane.StartAsync(OneCluster.Resources(OneCluster.Cluster(), [backend], firstFilter: OutboundExchange));
        await using var proxy = await RunningProxy.StartAsync(plane.Address, o => o with { Time = time, TcpReportingInterval = TimeSpan.FromSeconds(5) });

        using var request = new HttpRequestMessage(HttpMethod.Post, "/pkg.Service/Watch") { Content = new ByteArrayContent(Messages(10, 10, 10)) };
        request.Headers.Host = OneCluster.Authority;
        request.Content.Headers.ContentType = new("application/grpc");
        using var response = await proxy.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        var body = await response.Content.ReadAsStreamAsync();
        var first = new byte[2 * 25];
        await body.ReadExactlyAsync(first);

        // The stream is open: nothing is reported until the interval passes, then what passed so far.
        Assert.Empty((await PrometheusScrape.GetAsync(proxy.Admin)).Find("istio_request_messages_total"));
        time.Advance(TimeSpan.FromSeconds(5));
        var during = await PrometheusScrape.GetAsync(proxy.Admin);
        Assert.Equal(3, Assert.Single(during.Find("istio_request_messages_total")).Value);
        Assert.Equal(2, Assert.Single(during.Find("istio_response_messages_total")).Value);
        Assert.Equal("server", Assert.Single(during.Find("istio_request_messages_total")).Label("destination_app"));

        // Its end adds the rest to the same series.
        finish.TrySetResult();
        Assert.Equal(25, (await ReadToEndAsync(body)).Length);
        await OneCluster.EventuallyAsync(() => proxy.Host.Telemetry.Metrics.RequestsRecorded.Value >= 1, "the stream to be recorded");
        var after = await PrometheusScrape.GetAsync(proxy.Admin);
        Assert.Equal(3, Assert.Single(after.Find("istio_request_messages_total")).Value);
        Assert.Equal(3, Assert.Single(after.Find("istio_response_messages_total")).Value);
    }

    private static async Task<byte[]> ReadToEndAsync(Stream body)
    {
        using var rest = new MemoryStream();
        await body.CopyToAsync(rest);
        return rest.ToArray();
    }

    [Fact]
    public void Messages_are_counted_wherever_the_reads_split_them()
    {
        var stream = Messages(0, 1, 300, 70000, 5);
        for (var chunk = 1; chunk <= 9; chunk++)
        {
            var counter = new GrpcFrameCounter();
            for (var i = 0; i < stream.Length; i += chunk)
            {
                counter.Inspect(stream.AsSpan(i, Math.Min(chunk, stream.Length - i)));
            }

            Assert.Equal(5, counter.Messages);
        }
    }

    /// <summary>gRPC's length-prefixed messages of the given sizes, back to back.</summary>
    private static byte[] Messages(params int[] sizes)
    {
        var bytes = new byte[sizes.Sum(s => s + 5)];
        var at = 0;
        foreach (var size in sizes)
        {
            BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(at + 1), (uint)size);
            bytes.AsSpan(at + 5, size).Fill(0x2a);
            at += size + 5;
        }

        return bytes;
    }

    /// <summary>A body that hands out at most three bytes a read, so message prefixes arrive split.</summary>
    private sealed class TrickleStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(count, 3));

        public override int Read(Span<byte> buffer) => base.Read(buffer[..Math.Min(buffer.Length, 3)]);

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            base.ReadAsync(buffer, offset, Math.Min(count, 3), cancellationToken);

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(buffer.Length, 3)], cancellationToken);
    }
}
