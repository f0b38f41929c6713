using System.Diagnostics;
using System.Globalization;
using Grpc.Core;
using Weft.Xds;
using Weft.Xds.Envoy.Config.Core.V3;
using Weft.Xds.Envoy.Config.Route.V3;
using Weft.Xds.Envoy.Service.Discovery.V3;

namespace Weft.Bench.Scale;

/// <summary>
/// One sidecar's ADS stream, behaving as Envoy does over state-of-the-world ADS: CDS wildcard first, then EDS for the EDS
/// clusters it was given, LDS wildcard once those endpoints arrived, then RDS for the route configurations its listeners
/// name. It ACKs every response with its version and nonce, re-subscribes when CDS or LDS change the names it needs, and
/// records when it acknowledged each route update (on <see cref="Stopwatch"/>'s clock, which a child process shares).
/// </summary>
internal sealed class SimulatedEnvoy
{
    private readonly AggregatedDiscoveryService.AggregatedDiscoveryServiceClient _client;
    private readonly Func<string, string> _intern;
    private readonly EnvoyTypeState _cds = new(TypeUrls.Cluster);
    private readonly EnvoyTypeState _eds = new(TypeUrls.ClusterLoadAssignment);
    private readonly EnvoyTypeState _lds = new(TypeUrls.Listener);
    private readonly EnvoyTypeState _rds = new(TypeUrls.RouteConfiguration);
    private readonly TaskCompletionSource<long> _converged = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly object _gate = new();
    private readonly List<(long Version, long At)> _rdsAcks = [];
    private readonly Dictionary<string, IReadOnlyList<(string Cluster, uint Weight)>> _routes = new(StringComparer.Ordinal);
    private (long Version, TaskCompletionSource<long> Done)? _rdsWaiter;
    private AsyncDuplexStreamingCall<DiscoveryRequest, DiscoveryResponse>? _call;
    private CancellationTokenSource? _stop;
    private Task _loop = Task.CompletedTask;
    private bool _nodeSent;
    private Exception? _failure;

    public SimulatedEnvoy(int index, Node node, AggregatedDiscoveryService.AggregatedDiscoveryServiceClient client, bool verifyRoutes, Func<string, string> intern)
    {
        Index = index;
        Node = node;
        _client = client;
        VerifyRoutes = verifyRoutes;
        _intern = intern;
    }

    public int Index { get; }

    public Node Node { get; }

    /// <summary>Whether route configurations are decoded in full so <see cref="Route"/> can show what the client holds.</summary>
    public bool VerifyRoutes { get; }

    public long StartedAt { get; private set; }

    /// <summary>Completes with the time of the first acknowledgement that left CDS, EDS, LDS and RDS all complete.</summary>
    public Task<long> Converged => _converged.Task;

    public IReadOnlySet<string> Clusters => _cds.Held;

    public IReadOnlySet<string> EndpointNames => _eds.Names;

    public IReadOnlySet<string> Listeners => _lds.Held;

    public IReadOnlySet<string> RouteNames => _rds.Names;

    /// <summary>What this client has acknowledged so far, per type, for a timeout message.</summary>
    public string Progress => string.Create(CultureInfo.InvariantCulture,
        $"CDS acks {_cds.Acks} ({_cds.Held.Count}), EDS acks {_eds.Acks} ({_eds.Held.Count}/{_eds.Names.Count}), LDS acks {_lds.Acks} ({_lds.Held.Count}), RDS acks {_rds.Acks} ({_rds.Held.Count}/{_rds.Names.Count})");

    /// <summary>The weighted destinations of a virtual host (<c>HOST:PORT</c>) as last received; needs <see cref="VerifyRoutes"/>.</summary>
    public IReadOnlyList<(string Cluster, uint Weight)>? Route(string virtualHost)
    {
        lock (_gate)
        {
            return _routes.GetValueOrDefault(virtualHost);
        }
    }

    /// <summary>Opens the stream and sends the first request; responses are handled in the background.</summary>
    public void Start(CancellationToken cancel)
    {
        _stop = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        StartedAt = Stopwatch.GetTimestamp();
        _call = _client.StreamAggregatedResources(cancellationToken: _stop.Token);
        _loop = Task.Run(() => RunAsync(_call, _stop.Token), CancellationToken.None);
    }

    /// <summary>
    /// Completes with the time this client acknowledged a route response of push <paramref name="version"/> or later
    /// (already done or still to come).
    /// </summary>
    public Task<long> RoutesAckedAsync(long version)
    {
        lock (_gate)
        {
            foreach (var (acked, at) in _rdsAcks)
            {
                if (acked >= version)
                {
                    return Task.FromResult(at);
                }
            }

            if (_failure is not null)
            {
                return Task.FromException<long>(_failure);
            }

            var done = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
            _rdsWaiter = (version, done);
            return done.Task;
        }
    }

    /// <summary>The push counter in Weft's <c>version_info</c> (<c>TIME/COUNTER</c>); -1 when there is none.</summary>
    public static long PushVersion(string versionInfo)
    {
        var slash = versionInfo.LastIndexOf('/');
        return slash >= 0 && long.TryParse(versionInfo.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var version) ? version : -1;
    }

    public async Task StopAsync()
    {
        if (_call is null || _stop is null)
        {
            return;
        }

        try
        {
            await _call.RequestStream.CompleteAsync().WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        }
        catch (Exception e) when (e is RpcException or InvalidOperationException or TimeoutException or OperationCanceledException)
        {
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _loop.WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
        }

        _call.Dispose();
        _stop.Dispose();
    }

    private async Task RunAsync(AsyncDuplexStreamingCall<DiscoveryRequest, DiscoveryResponse> call, CancellationToken cancel)
    {
        try
        {
            await SendAsync(call, _cds).ConfigureAwait(false);
            await foreach (var response in call.ResponseStream.ReadAllAsync(cancel).ConfigureAwait(false))
            {
                await HandleAsync(call, response).ConfigureAwait(false);
            }

            Fail(new IOException("the control plane ended the stream"));
        }
        catch (Exception e) when (cancel.IsCancellationRequested && e is OperationCanceledException or RpcException)
        {
            Fail(new OperationCanceledException("the client was stopped", e));
        }
        catch (Exception e)
        {
            Fail(e);
        }
    }

    private async Task HandleAsync(AsyncDuplexStreamingCall<DiscoveryRequest, DiscoveryResponse> call, DiscoveryResponse response)
    {
        switch (response.TypeUrl)
        {
            case TypeUrls.Cluster:
            {
                var edsNames = new HashSet<string>(StringComparer.Ordinal);
                _cds.Held.Clear();
                foreach (var any in response.Resources)
                {
                    var (name, edsName) = ResourceReader.Cluster(any.Value);
                    _cds.Held.Add(_intern(name));
                    if (edsName is not null)
                    {
                        edsNames.Add(_intern(edsName));
                    }
                }

                Accept(_cds, response);

                // Envoy updates its EDS subscription before acknowledging the clusters that need it.
                if (!_eds.Requested || !edsNames.SetEquals(_eds.Names))
                {
                    _eds.Names = edsNames;
                    _eds.Held.IntersectWith(edsNames);
                    await SendAsync(call, _eds).ConfigureAwait(false);
                }

                await AckAsync(call, _cds).ConfigureAwait(false);
                break;
            }

            case TypeUrls.ClusterLoadAssignment:
                foreach (var any in response.Resources)
                {
                    _eds.Held.Add(_intern(ResourceReader.Name(any.Value)));
                }

                Accept(_eds, response);
                await AckAsync(call, _eds).ConfigureAwait(false);

                // Listeners are asked for once the clusters have their endpoints (Envoy's initialization order).
                if (!_lds.Requested && _eds.Complete)
                {
                    await SendAsync(call, _lds).ConfigureAwait(false);
                }

                break;

            case TypeUrls.Listener:
            {
                var routeNames = new HashSet<string>(StringComparer.Ordinal);
                _lds.Held.Clear();
                foreach (var any in response.Resources)
                {
                    _lds.Held.Add(_intern(ResourceReader.Name(any.Value)));
                    foreach (var route in ResourceReader.RouteNames(any.Value))
                    {
                        routeNames.Add(_intern(route));
                    }
                }

                Accept(_lds, response);
                if (!_rds.Requested || !routeNames.SetEquals(_rds.Names))
                {
                    _rds.Names = routeNames;
                    _rds.Held.IntersectWith(routeNames);
                    await SendAsync(call, _rds).ConfigureAwait(false);
                }

                await AckAsync(call, _lds).ConfigureAwait(false);
                break;
            }

            case TypeUrls.RouteConfiguration:
                foreach (var any in response.Resources)
                {
                    if (VerifyRoutes)
                    {
                        Remember(RouteConfiguration.Parser.ParseFrom(any.Value));
                    }

                    _rds.Held.Add(_intern(ResourceReader.Name(any.Value)));
                }

                Accept(_rds, response);
                var at = Stopwatch.GetTimestamp();
                await AckAsync(call, _rds).ConfigureAwait(false);
                RoutesAcked(PushVersion(response.VersionInfo), at);
                break;
        }

        if (!_converged.Task.IsCompleted && _cds.Acks > 0 && _eds.Complete && _lds.Acks > 0 && _rds.Complete)
        {
            _converged.TrySetResult(Stopwatch.GetTimestamp());
        }
    }

    private static void Accept(EnvoyTypeState state, DiscoveryResponse response)
    {
        state.Version = response.VersionInfo;
        state.Nonce = response.Nonce;
    }

    private Task AckAsync(AsyncDuplexStreamingCall<DiscoveryRequest, DiscoveryResponse> call, EnvoyTypeState state)
    {
        state.Acks++;
        return SendAsync(call, state);
    }

    private Task SendAsync(AsyncDuplexStreamingCall<DiscoveryRequest, DiscoveryResponse> call, EnvoyTypeState state)
    {
        var request = new DiscoveryRequest { TypeUrl = state.TypeUrl, VersionInfo = state.Version, ResponseNonce = state.Nonce };
        request.ResourceNames.AddRange(state.Names);
        if (!_nodeSent)
        {
            // Like Envoy with set_node_on_first_message_only: the node rides on the first request of the stream.
            request.Node = Node;
            _nodeSent = true;
        }

        state.Requested = true;
        return call.RequestStream.WriteAsync(request);
    }

    private void Remember(RouteConfiguration config)
    {
        lock (_gate)
        {
            foreach (var vhost in config.VirtualHosts)
            {
                var action = vhost.Routes.Count > 0 ? vhost.Routes[0].Route_ : null;
                _routes[vhost.Name] = action?.WeightedClusters is { } weighted
                    ? weighted.Clusters.Select(c => (c.Name, c.Weight.GetValueOrDefault())).ToArray()
                    : action is { Cluster.Length: > 0 } ? [(action.Cluster, 100u)] : [];
            }
        }
    }

    private void RoutesAcked(long version, long at)
    {
        TaskCompletionSource<long>? done = null;
        lock (_gate)
        {
            _rdsAcks.Add((version, at));
            if (_rdsAcks.Count > 16)
            {
                _rdsAcks.RemoveAt(0);
            }

            if (_rdsWaiter is { } waiter && version >= waiter.Version)
            {
                done = waiter.Done;
                _rdsWaiter = null;
            }
        }

        done?.TrySetResult(at);
    }

    private void Fail(Exception e)
    {
        var failure = new InvalidOperationException($"client {Index} ({Node.Id}): {e.Message}; {Progress}", e);
        TaskCompletionSource<long>? waiter;
        lock (_gate)
        {
            _failure ??= failure;
            waiter = _rdsWaiter?.Done;
            _rdsWaiter = null;
        }

        _converged.TrySetException(failure);
        waiter?.TrySetException(failure);
    }
}
