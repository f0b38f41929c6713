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
    {
        Node = node;
        _channel = GrpcChannel.ForAddress("http://" + address);
        var client = new AggregatedDiscoveryService.AggregatedDiscoveryServiceClient(_channel);
        if (delta)
        {
            _delta = client.DeltaAggregatedResources();
            _reader = Task.Run(async () =>
            {
                await foreach (var r in _delta.ResponseStream.ReadAllAsync())
                {
                    await _deltaResponses.Writer.WriteAsync(r);
                }
            });
        }
        else
        {
            _sotw = client.StreamAggregatedResources();
            _reader = Task.Run(async () =>
            {
                await foreach (var r in _sotw.ResponseStream.ReadAllAsync())
                {
                    await _responses.Writer.WriteAsync(r);
                }
            });
        }
    }

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

    public async Task<DiscoveryResponse> ReceiveAsync() => await _responses.Reader.ReadAsync().AsTask().WaitAsync(Wait);

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

    public async Task<DeltaDiscoveryResponse> ReceiveDeltaAsync() => await _deltaResponses.Reader.ReadAsync().AsTask().WaitAsync(Wait);

    public async ValueTask DisposeAsync()
    {
        if (_sotw is not null)
        {
            await _sotw.RequestStream.CompleteAsync();
            _sotw.Dispose();
        }

        if (_delta is not null)
        {
            await _delta.RequestStream.CompleteAsync();
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
}
