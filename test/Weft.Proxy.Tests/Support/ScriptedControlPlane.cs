using System.Collections.Concurrent;
using Google.Protobuf;
using Weft.Xds;
using Weft.Xds.Envoy.Config.Cluster.V3;
using Weft.Xds.Envoy.Config.Endpoint.V3;
using Weft.Xds.Envoy.Config.Listener.V3;
using Weft.Xds.Envoy.Config.Route.V3;
using Weft.Xds.Envoy.Service.Discovery.V3;

namespace Weft.Proxy.Tests.Support;

/// <summary>
/// A tiny ADS server over <see cref="FakeAdsServer"/> that serves a fixed set of resources: it answers each new
/// subscription with what it asks for, records every acknowledgement and refusal, and pushes a new set on demand.
/// </summary>
internal sealed class ScriptedControlPlane : IAsyncDisposable
{
    private readonly FakeAdsServer _server;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly object _gate = new();
    private readonly Dictionary<string, HashSet<string>> _subscriptions = new(StringComparer.Ordinal);
    private IReadOnlyList<IMessage> _resources;
    private AdsStream? _stream;
    private int _version;

    private ScriptedControlPlane(FakeAdsServer server, IReadOnlyList<IMessage> resources)
    {
        _server = server;
        _resources = resources;
        _loop = Task.Run(ServeAsync);
    }

    public string Address => _server.Address;

    /// <summary>Every request that refused a response (NACK), in order.</summary>
    public ConcurrentQueue<DiscoveryRequest> Rejections { get; } = new();

    /// <summary>Released once per refusal, so a test can wait for one without polling.</summary>
    private readonly SemaphoreSlim _rejected = new(0);

    /// <summary>The first refusal of a response of <paramref name="typeUrl"/>, once there is one.</summary>
    public async Task<DiscoveryRequest> RejectionAsync(string typeUrl)
    {
        while (true)
        {
            if (Rejections.FirstOrDefault(r => r.TypeUrl == typeUrl) is { } rejection)
            {
                return rejection;
            }

            await _rejected.WaitAsync();
        }
    }

    public static async Task<ScriptedControlPlane> StartAsync(IEnumerable<IMessage> resources) =>
        new(await FakeAdsServer.StartAsync(), resources.ToList());

    /// <summary>Replaces the resource set and pushes every subscribed type.</summary>
    public async Task PushAsync(IEnumerable<IMessage> resources)
    {
        AdsStream? stream;
        lock (_gate)
        {
            _resources = resources.ToList();
            stream = _stream;
        }

        if (stream is null)
        {
            return;
        }

        foreach (var type in TypeUrls.PushOrder)
        {
            HashSet<string>? names;
            lock (_gate)
            {
                _subscriptions.TryGetValue(type, out names);
            }

            if (names is not null)
            {
                await RespondAsync(stream, type, names);
            }
        }
    }

    /// <summary>Sends one response of a type as it is, valid or not.</summary>
    public async Task SendRawAsync(string typeUrl, params IMessage[] resources)
    {
        var stream = _stream ?? throw new InvalidOperationException("no client connected");
        await stream.RespondAsync(typeUrl, "raw-" + Interlocked.Increment(ref _version), resources);
    }

    private async Task ServeAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            AdsStream stream;
            try
            {
                stream = await _server.NextStreamAsync().WaitAsync(Timeout.InfiniteTimeSpan, _stop.Token);
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (TimeoutException)
            {
                continue;
            }

            lock (_gate)
            {
                _stream = stream;
                _subscriptions.Clear();
            }

            try
            {
                await foreach (var request in stream.Requests.Reader.ReadAllAsync(_stop.Token))
                {
                    await HandleAsync(stream, request);
                }
            }
            catch (OperationCanceledException)
            {
            }
        }
    }

    private async Task HandleAsync(AdsStream stream, DiscoveryRequest request)
    {
        if (request.ErrorDetail is not null)
        {
            Rejections.Enqueue(request);
            _rejected.Release();
            return;
        }

        var names = request.ResourceNames.ToHashSet(StringComparer.Ordinal);
        bool respond;
        lock (_gate)
        {
            respond = !_subscriptions.TryGetValue(request.TypeUrl, out var known) || string.IsNullOrEmpty(request.ResponseNonce) || !known.SetEquals(names);
            _subscriptions[request.TypeUrl] = names;
        }

        if (respond)
        {
            await RespondAsync(stream, request.TypeUrl, names);
        }
    }

    private Task RespondAsync(AdsStream stream, string typeUrl, HashSet<string> names)
    {
        IReadOnlyList<IMessage> resources;
        lock (_gate)
        {
            resources = _resources;
        }

        var selected = resources.Where(r => TypeUrls.Of(r.Descriptor) == typeUrl && (TypeUrls.IsWildcardType(typeUrl) || names.Contains(NameOf(r)))).ToArray();
        return stream.RespondAsync(typeUrl, "v" + Interlocked.Increment(ref _version), selected);
    }

    private static string NameOf(IMessage message) => message switch
    {
        Cluster c => c.Name,
        ClusterLoadAssignment a => a.ClusterName,
        Listener l => l.Name,
        RouteConfiguration r => r.Name,
        Weft.Xds.Envoy.Extensions.TransportSockets.Tls.V3.Secret s => s.Name,
        _ => string.Empty,
    };

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _server.DisposeAsync();
        try
        {
            await _loop.WaitAsync(FakeAdsServer.Wait);
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
        _rejected.Dispose();
    }
}
