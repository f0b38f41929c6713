using System.Collections.Concurrent;
using System.Globalization;
using Grpc.Core;
using Weft.Control.Model;
using Weft.Control.Push;
using Weft.Xds.Envoy.Service.Discovery.V3;

namespace Weft.Bench.Scale;

/// <summary>
/// The transport floor's ADS server (state of the world): every proxy of a class is sent the same four prebuilt responses
/// (<see cref="ReplayResponses"/>), so per client it pays only what any control plane pays to move those bytes: gRPC
/// serialization, HTTP/2 and sockets. No generation, no diffing, no protocol state beyond what a request asked for last.
/// Writes are bounded as the control plane bounds its own (<see cref="Weft.Control.Xds.XdsServer.DefaultPushConcurrency"/>
/// at once), so both hold the same number of serialized responses in memory at a time.
/// </summary>
internal sealed class ReplayServer(PushContext push, int sendConcurrency) : AggregatedDiscoveryService.AggregatedDiscoveryServiceBase, IDisposable
{
    /// <summary>The version every response starts at; each <see cref="Push"/> makes the next one.</summary>
    public const long FirstVersion = 1;

    private readonly ConcurrentDictionary<string, Lazy<ReplayResponses>> _classes = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<ReplayStream, byte> _streams = new();
    private readonly SemaphoreSlim _sends = new(Math.Max(1, sendConcurrency));
    private readonly CancellationTokenSource _stopping = new();
    private long _routesVersion = FirstVersion;
    private int _classCount;

    public int Connections => _streams.Count;

    /// <summary>
    /// <c>replay/N</c>: the shape of Weft's own <c>TIME/COUNTER</c>, so a client reads the push counter N out of it as it
    /// reads the control plane's (<see cref="SimulatedEnvoy.PushVersion"/>).
    /// </summary>
    public static string VersionInfo(long version) => string.Create(CultureInfo.InvariantCulture, $"replay/{version}");

    /// <summary>Sends every stream that holds routes the same routes as a new version; returns that version.</summary>
    public long Push()
    {
        var version = Interlocked.Increment(ref _routesVersion);
        foreach (var stream in _streams.Keys)
        {
            stream.Push(version);
        }

        return version;
    }

    /// <summary>Ends every stream (used when the replay server stops).</summary>
    public void Stop() => _stopping.Cancel();

    public override async Task StreamAggregatedResources(IAsyncStreamReader<DiscoveryRequest> requestStream, IServerStreamWriter<DiscoveryResponse> responseStream, ServerCallContext context)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, _stopping.Token);
        var cancel = linked.Token;
        if (!await requestStream.MoveNext(cancel).ConfigureAwait(false))
        {
            return;
        }

        var first = requestStream.Current;
        var stream = new ReplayStream(ResponsesFor(first), () => Interlocked.Read(ref _routesVersion));
        _streams[stream] = 0;
        var reading = Task.Run(() => ReadAsync(stream, first, requestStream, cancel), CancellationToken.None);
        try
        {
            await foreach (var response in stream.Outgoing.ReadAllAsync(cancel).ConfigureAwait(false))
            {
                await _sends.WaitAsync(cancel).ConfigureAwait(false);
                try
                {
                    await responseStream.WriteAsync(response, cancel).ConfigureAwait(false);
                }
                finally
                {
                    _sends.Release();
                }
            }
        }
        finally
        {
            _streams.TryRemove(stream, out _);
            await linked.CancelAsync().ConfigureAwait(false);
            await reading.ConfigureAwait(false);
        }
    }

    public void Dispose()
    {
        _sends.Dispose();
        _stopping.Dispose();
    }

    /// <summary>The class's responses for the stream's node, built by the first stream of the class (the others wait for it).</summary>
    private ReplayResponses ResponsesFor(DiscoveryRequest first)
    {
        if (first.Node is not { Id.Length: > 0 } node)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "the first request of a stream must carry the node (its id is missing)"));
        }

        var proxy = ProxyNode.Parse(node, push.Registry, out var error)
            ?? throw new RpcException(new Status(StatusCode.InvalidArgument, error ?? "invalid node"));
        var id = push.ClassOf(proxy);
        return _classes.GetOrAdd(id, _ => new Lazy<ReplayResponses>(
            () => new ReplayResponses(Interlocked.Increment(ref _classCount).ToString(CultureInfo.InvariantCulture), proxy, push),
            LazyThreadSafetyMode.ExecutionAndPublication)).Value;
    }

    private static async Task ReadAsync(ReplayStream stream, DiscoveryRequest first, IAsyncStreamReader<DiscoveryRequest> requests, CancellationToken cancel)
    {
        try
        {
            stream.Handle(first);
            while (await requests.MoveNext(cancel).ConfigureAwait(false))
            {
                stream.Handle(requests.Current);
            }

            stream.End(null);
        }
        catch (Exception e)
        {
            // A stream cancelled (the client went, the server stops) simply ends; anything else fails the call.
            stream.End(cancel.IsCancellationRequested ? null : e);
        }
    }
}
