using System.Threading.Channels;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Grpc.Net.Client;
using Weft.Xds.Envoy.Config.Core.V3;
using Weft.Xds.Envoy.Service.Discovery.V3;

namespace Weft.Control.Tests.Support;

/// <summary>
/// A scripted ADS client over a real gRPC connection: sends the requests a test writes and hands back responses in order,
/// each wait bounded.
/// </summary>
internal sealed class AdsClient : IAsyncDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private readonly GrpcChannel _channel;
    private readonly AsyncDuplexStreamingCall<DiscoveryRequest, DiscoveryResponse>? _sotw;
    private readonly AsyncDuplexStreamingCall<DeltaDiscoveryRequest, DeltaDiscoveryResponse>? _delta;
    private readonly Channel<DiscoveryResponse> _responses = Channel.CreateUnbounded<DiscoveryResponse>();
    private readonly Channel<DeltaDiscoveryResponse> _deltaResponses = Channel.CreateUnbounded<DeltaDiscoveryResponse>();
    private readonly Task _reader;

    public AdsClient(string address, Node node, bool delta = false)
        : this(GrpcChannel.ForAddress("http://" + address), node, delta)
    {
    }

    /// <summary>A stream on <paramref name="channel"/> (which the client then owns), sending <paramref name="headers"/> with the call.</summary>
    public AdsClient(GrpcChannel channel, Node node, bool delta = false, Grpc.Core.Metadata? headers = null)
    {
        Node = node;
        _channel = channel;
        var client = new AggregatedDiscoveryService.AggregatedDiscoveryServiceClient(_channel);
        if (delta)
        {
            _delta = client.DeltaAggregatedResources(headers);
            _reader = Pump(_delta.ResponseStream, _deltaResponses.Writer);
        }
        else
        {
            _sotw = client.StreamAggregatedResources(headers);
            _reader = Pump(_sotw.ResponseStream, _responses.Writer);
        }
    }

    /// <summary>Hands responses on until the stream ends; a stream the server fails fails the next receive with its status.</summary>
    private static Task Pump<T>(IAsyncStreamReader<T> stream, ChannelWriter<T> writer) => Task.Run(async () =>
    {
        try
        {
            await foreach (var r in stream.ReadAllAsync())
            {
                await writer.WriteAsync(r);
            }

            writer.TryComplete();
        }
        catch (RpcException e)
        {
            writer.TryComplete(e);
        }
    });

    public Node Node { get; }

    public static Node SidecarNode(string name = "client", string ns = "default", string ip = "127.0.0.1", bool proxyless = false)
    {
        var node = new Node { Id = $"sidecar~{ip}~{name}.{ns}~{ns}.svc.cluster.local", Metadata = new Struct() };
        node.Metadata.Fields["NAMESPACE"] = Value.ForString(ns);
        if (proxyless)
        {
            node.Metadata.Fields["GENERATOR"] = Value.ForString("grpc");
        }

        return node;
    }

    public Task SendAsync(string typeUrl, IEnumerable<string>? names = null, DiscoveryResponse? ack = null, string? error = null)
    {
        var request = new DiscoveryRequest { Node = Node, TypeUrl = typeUrl };
        request.ResourceNames.AddRange(names ?? []);
        if (ack is not null)
        {
            request.ResponseNonce = ack.Nonce;
            request.VersionInfo = error is null ? ack.VersionInfo : string.Empty;
        }

        if (error is not null)
        {
            request.ErrorDetail = new Google.Rpc.Status { Code = 3, Message = error };
        }

        return _sotw!.RequestStream.WriteAsync(request);
    }

    /// <summary>Sends a request with a given (possibly stale) nonce.</summary>
    public Task SendWithNonceAsync(string typeUrl, string nonce, IEnumerable<string> names)
    {
        var request = new DiscoveryRequest { Node = Node, TypeUrl = typeUrl, ResponseNonce = nonce };
        request.ResourceNames.AddRange(names);
        return _sotw!.RequestStream.WriteAsync(request);
    }

    public Task<DiscoveryResponse> ReceiveAsync() => Next(_responses.Reader);

    /// <summary>The next response if one comes within <paramref name="quiet"/>; null when none does (nothing was pushed).</summary>
    public async Task<DiscoveryResponse?> ReceiveWithinAsync(TimeSpan quiet)
    {
        using var timeout = new CancellationTokenSource(quiet);
        try
        {
            return await _responses.Reader.ReadAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    public Task SendDeltaAsync(DeltaDiscoveryRequest request)
    {
        request.Node ??= Node;
        return _delta!.RequestStream.WriteAsync(request);
    }

    public Task<DeltaDiscoveryResponse> ReceiveDeltaAsync() => Next(_deltaResponses.Reader);

    /// <summary>The next response, bounded; the server's status when it failed the stream.</summary>
    private static async Task<T> Next<T>(ChannelReader<T> reader)
    {
        try
        {
            return await reader.ReadAsync().AsTask().WaitAsync(Wait);
        }
        catch (ChannelClosedException e) when (e.InnerException is RpcException failed)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failed);
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        // A stream the server already ended (refused) has nothing left to complete.
        if (_sotw is not null)
        {
            await Ending(_sotw.RequestStream.CompleteAsync());
            _sotw.Dispose();
        }

        if (_delta is not null)
        {
            await Ending(_delta.RequestStream.CompleteAsync());
            _delta.Dispose();
        }

        try
        {
            await _reader.WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (Exception e) when (e is RpcException or TimeoutException or OperationCanceledException or ObjectDisposedException)
        {
            // The reader ends however the disposed call makes it end; a call disposed mid-read throws ObjectDisposedException.
        }

        _channel.Dispose();
    }

    private static async Task Ending(Task complete)
    {
        try
        {
            await complete;
        }
        catch (Exception e) when (e is RpcException or InvalidOperationException)
        {
        }
    }
}
