using System.Collections.Frozen;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.Logging;
using Weft.Xds;
using Weft.Xds.Envoy.Config.Cluster.V3;
using Weft.Xds.Envoy.Config.Endpoint.V3;
using Weft.Xds.Envoy.Config.Listener.V3;
using Weft.Xds.Envoy.Config.Route.V3;
using Weft.Xds.Envoy.Service.Discovery.V3;

namespace Weft.Proxy.Xds;

/// <summary>
/// An ADS client, state-of-the-world or (with <see cref="XdsClientOptions.Delta"/>) incremental, that subscribes as Envoy does: clusters (everything), then the assignments of the EDS
/// clusters it got, listeners (everything), then the route configurations its connection managers name and the SDS
/// secrets their TLS contexts fetch over ADS, following every change of those references. A secret is awaited until its
/// <c>initial_fetch_timeout</c>; when that passes, the consumer is told again so that what waited for it goes ahead. Each response is acknowledged (its version, nonce and the names subscribed) or, when any
/// resource in it cannot be compiled, refused with the reasons (NACK), keeping what was accepted before. A broken stream is
/// reconnected with capped, jittered exponential backoff and every subscription re-sent with the versions held; nothing
/// accepted is dropped while the control plane is away.
/// </summary>
/// <remarks>The delta protocol's parts are in <c>XdsClient.Delta.cs</c>; everything else is shared.</remarks>
internal sealed partial class XdsClient : IAsyncDisposable
{
    private const int InvalidArgument = 3;

    private readonly XdsClientOptions _options;
    private readonly IXdsConsumer _consumer;
    private readonly ILogger _log;
    private readonly GrpcChannel _channel;
    private readonly AggregatedDiscoveryService.AggregatedDiscoveryServiceClient _client;
    private readonly ReconnectBackoff _backoff;
    private readonly XdsTypeState _clusters = new(TypeUrls.Cluster);
    private readonly XdsTypeState _endpoints = new(TypeUrls.ClusterLoadAssignment);
    private readonly XdsTypeState _listeners = new(TypeUrls.Listener);
    private readonly XdsTypeState _routes = new(TypeUrls.RouteConfiguration);
    private readonly XdsTypeState _secrets = new(TypeUrls.Secret);
    private readonly Dictionary<string, DateTimeOffset> _secretDeadlines = new(StringComparer.Ordinal);
    private readonly object _updating = new();
    private ITimer? _secretTimer;
    private XdsConfig _lastView = XdsConfig.Empty;
    private readonly Dictionary<string, XdsTypeState> _types;
    private IClientStreamWriter<DiscoveryRequest>? _requests;
    private IClientStreamWriter<DeltaDiscoveryRequest>? _deltaRequests;
    private bool _nodeSent;
    private bool _answered;
    private volatile XdsConnectionStatus _status = new(false, "not connected yet", null);

    public XdsClient(XdsClientOptions options, IXdsConsumer consumer, ILogger<XdsClient> log)
    {
        _options = options;
        _consumer = consumer;
        _log = log;
        _backoff = new ReconnectBackoff(options.ReconnectInitial, options.ReconnectMaximum, options.Random);
        _types = new Dictionary<string, XdsTypeState>(StringComparer.Ordinal)
        {
            [_clusters.TypeUrl] = _clusters,
            [_endpoints.TypeUrl] = _endpoints,
            [_listeners.TypeUrl] = _listeners,
            [_routes.TypeUrl] = _routes,
            [_secrets.TypeUrl] = _secrets,
        };
        _channel = Identity.ControlPlaneSecurity.Channel(options.Address, options.Security, options.ClientCertificate);
        _client = new AggregatedDiscoveryService.AggregatedDiscoveryServiceClient(_channel);
    }

    /// <summary>Whether a stream is up, and what went wrong last (for health messages).</summary>
    public XdsConnectionStatus Status => _status;

    /// <summary>Streams until <paramref name="stop"/>, reconnecting whenever a stream ends.</summary>
    public async Task RunAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            var answered = await RunStreamAsync(stop).ConfigureAwait(false);
            if (stop.IsCancellationRequested)
            {
                break;
            }

            if (answered)
            {
                _backoff.Reset();
            }

            var delay = _backoff.Next();
            LogReconnecting(_log, _options.Address, delay.TotalMilliseconds, _status.LastError ?? "the stream ended");
            _status = _status with { RetryAt = _options.Time.GetUtcNow() + delay };
            try
            {
                await Task.Delay(delay, _options.Time, stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    /// <summary>One stream: sends the subscriptions, then answers responses until the stream ends. True if any response came.</summary>
    private async Task<bool> RunStreamAsync(CancellationToken stop)
    {
        foreach (var type in _types.Values)
        {
            type.Nonce = string.Empty;
            type.OnStream = null;
        }

        _nodeSent = false;
        _answered = false;
        try
        {
            await (_options.Delta ? RunDeltaStreamAsync(stop) : RunSotwStreamAsync(stop)).ConfigureAwait(false);
            _status = new XdsConnectionStatus(false, $"the control plane at {_options.Address} ended the stream", _options.Time.GetUtcNow());
        }
        catch (RpcException e) when (!stop.IsCancellationRequested)
        {
            _status = new XdsConnectionStatus(false, $"cannot reach the control plane at {_options.Address}: {e.Status.Detail}", _options.Time.GetUtcNow());
        }
        catch (Exception e) when (stop.IsCancellationRequested && e is OperationCanceledException or RpcException or IOException or HttpRequestException or InvalidOperationException)
        {
            // Stopping: a stream torn down under a response being answered fails however it fails (an acknowledgement
            // written to a call already complete throws InvalidOperationException), and none of it is news.
        }
        catch (Exception e) when (e is IOException or HttpRequestException or InvalidOperationException && !stop.IsCancellationRequested)
        {
            _status = new XdsConnectionStatus(false, $"cannot reach the control plane at {_options.Address}: {e.Message}", _options.Time.GetUtcNow());
        }
        finally
        {
            _requests = null;
            _deltaRequests = null;
        }

        return _answered;
    }

    private async Task RunSotwStreamAsync(CancellationToken stop)
    {
        using var call = _client.StreamAggregatedResources(_options.Security?.Headers(), cancellationToken: stop);
        _requests = call.RequestStream;
        await SubscribeAllAsync().ConfigureAwait(false);
        while (await call.ResponseStream.MoveNext(stop).ConfigureAwait(false))
        {
            Answered();

            // Compiled on the thread pool, not on the socket thread the response arrived on: that thread serves traffic.
            await Task.Yield();
            await HandleAsync(call.ResponseStream.Current).ConfigureAwait(false);
        }
    }

    /// <summary>Marks the stream as answered (connected) on its first response.</summary>
    private void Answered()
    {
        if (!_answered)
        {
            _answered = true;
            _status = new XdsConnectionStatus(true, null, _options.Time.GetUtcNow());
            LogConnected(_log, _options.Address);
        }
    }

    /// <summary>
    /// The first requests of a stream. The first stream asks for clusters only (the rest follows from the answers); later
    /// streams re-send every subscription with the version already held, clusters and endpoints before listeners and routes.
    /// </summary>
    private async Task SubscribeAllAsync()
    {
        if (!_clusters.Subscribed)
        {
            await SubscribeAsync(_clusters).ConfigureAwait(false);
            return;
        }

        foreach (var type in new[] { _clusters, _endpoints, _listeners, _routes, _secrets })
        {
            if (type.Subscribed && (type.Wildcard || type.Names.Count > 0))
            {
                await SendAsync(type, error: null).ConfigureAwait(false);
            }
        }
    }

    private async Task HandleAsync(DiscoveryResponse response)
    {
        if (!_types.TryGetValue(response.TypeUrl, out var type) || !type.Subscribed)
        {
            LogUnexpectedType(_log, response.TypeUrl);
            return;
        }

        var kind = TypeUrls.ShortName(type.TypeUrl);
        type.Nonce = response.Nonce;
        var (resources, errors) = Decode(type, response.Resources.Select(r => (r, (string?)null, response.VersionInfo)));
        if (errors.Count == 0 && Refused(type, resources) is { Count: > 0 } refused)
        {
            // The rest applies; the version stays the one last acknowledged, as the NACK says.
            Accept(type, type.Version, resources);
            errors = refused;
        }

        if (errors.Count == 0)
        {
            Accept(type, response.VersionInfo, resources);
            LogAccepted(_log, kind, response.VersionInfo, resources.Count);
            await SendAsync(type, error: null).ConfigureAwait(false);
        }
        else
        {
            var reason = string.Join("; ", errors);
            type.Rejection = new XdsRejection(response.VersionInfo, reason, _options.Time.GetUtcNow());
            LogRejected(_log, kind, response.VersionInfo, reason);
            await SendAsync(type, reason).ConfigureAwait(false);
        }

        await FollowAsync(type).ConfigureAwait(false);
        Publish();
    }

    /// <summary>Hands the consumer everything accepted so far (one call at a time: a secret's timer may call too).</summary>
    private void Publish()
    {
        var view = View();
        lock (_updating)
        {
            _lastView = view;
            _consumer.Updated(view);
        }
    }

    /// <summary>Tells the consumer again, once the earliest wait for a secret not yet received has ended.</summary>
    private void ScheduleSecretTimer()
    {
        var now = _options.Time.GetUtcNow();
        DateTimeOffset? next = null;
        foreach (var (name, deadline) in _secretDeadlines)
        {
            if (deadline > now && !_secrets.Resources.ContainsKey(name) && (next is null || deadline < next))
            {
                next = deadline;
            }
        }

        _secretTimer?.Dispose();
        _secretTimer = next is { } due
            ? _options.Time.CreateTimer(_ => { lock (_updating) { _consumer.Updated(_lastView); } }, null, due - now, Timeout.InfiniteTimeSpan)
            : null;
    }

    /// <summary>
    /// Decodes and compiles every resource of a response (each with the name the response gives it, if any, and its
    /// version); any error refuses the whole response.
    /// </summary>
    private (Dictionary<string, AcceptedResource> Resources, List<string> Errors) Decode(XdsTypeState type, IEnumerable<(Any Any, string? Name, string Version)> items)
    {
        var resources = new Dictionary<string, AcceptedResource>(StringComparer.Ordinal);
        var errors = new List<string>();
        var now = _options.Time.GetUtcNow();
        var kind = TypeUrls.ShortName(type.TypeUrl);
        var i = -1;
        foreach (var (any, declared, version) in items)
        {
            i++;
            if (any.TypeUrl != type.TypeUrl)
            {
                errors.Add($"resource {i} is a {any.TypeUrl}, not a {type.TypeUrl}");
                continue;
            }

            IMessage message;
            try
            {
                message = Parse(type.TypeUrl, any.Value);
            }
            catch (InvalidProtocolBufferException e)
            {
                errors.Add($"resource {i} does not decode: {e.Message}");
                continue;
            }

            var name = NameOf(message);
            if (name.Length == 0)
            {
                errors.Add($"resource {i} has no name");
                continue;
            }

            if (!string.IsNullOrEmpty(declared) && declared != name)
            {
                errors.Add($"resource {i} is sent as {declared} but is named {name}");
                continue;
            }

            if (resources.ContainsKey(name))
            {
                errors.Add($"{kind} {name} is in the response twice");
                continue;
            }

            if (!type.Wildcard && !type.Names.Contains(name))
            {
                // Envoy ignores what it did not ask for.
                if (_log.IsEnabled(LogLevel.Debug))
                {
                    LogUnrequested(_log, kind, name);
                }

                continue;
            }

            try
            {
                resources[name] = new AcceptedResource(name, message, _consumer.Compile(type.TypeUrl, message), version, now);
            }
            catch (XdsRejectedException e)
            {
                errors.Add($"{kind} {name}: {e.Message}");
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // A shape the compiler did not expect is still a refusal the control plane should hear about.
                errors.Add($"{kind} {name}: could not be compiled ({e.GetType().Name}: {e.Message})");
            }
        }

        return (resources, errors);
    }

    /// <summary>
    /// Of a response that compiled, what the consumer still cannot apply (a listener whose address cannot be bound): each
    /// is taken out of <paramref name="resources"/>, keeping its previous version if it had one, and named in the errors
    /// for the NACK, as Envoy's LDS refuses a listener it cannot bind while the others apply.
    /// </summary>
    private List<string> Refused(XdsTypeState type, Dictionary<string, AcceptedResource> resources)
    {
        var errors = new List<string>();
        // Lazily: only a consumer that checks this type walks the models (listeners, not every endpoint update).
        var refused = _consumer.Refuse(type.TypeUrl, resources.Values.Select(r => r.Model));
        foreach (var (name, reason) in refused.OrderBy(r => r.Key, StringComparer.Ordinal))
        {
            errors.Add($"{TypeUrls.ShortName(type.TypeUrl)} {name}: {reason}");
            if (type.Resources.TryGetValue(name, out var previous))
            {
                resources[name] = previous;
            }
            else
            {
                resources.Remove(name);
            }
        }

        return errors;
    }

    /// <summary>
    /// Listener and Cluster responses carry the whole set (a missing one is deleted); route and endpoint responses carry
    /// the resources that changed, the others stay as they were.
    /// </summary>
    private void Accept(XdsTypeState type, string version, Dictionary<string, AcceptedResource> resources)
    {
        if (type.Wildcard)
        {
            type.Resources = resources;
        }
        else
        {
            foreach (var (name, resource) in resources)
            {
                type.Resources[name] = resource;
            }
        }

        type.Version = version;
        type.Received = true;
        type.Rejection = null;
    }

    /// <summary>
    /// The subscriptions that follow from a type's resources: EDS names from clusters, LDS after the first clusters, RDS
    /// names from listeners. What a subscription no longer names is forgotten.
    /// </summary>
    private async Task FollowAsync(XdsTypeState type)
    {
        if (type == _clusters)
        {
            var names = XdsReferences.EdsNames(_clusters.Resources.Values.Select(r => r.Message));
            if (_endpoints.SetNames(names) || (!_endpoints.Subscribed && names.Count > 0))
            {
                await SubscribeAsync(_endpoints).ConfigureAwait(false);
            }

            if (!_listeners.Subscribed)
            {
                await SubscribeAsync(_listeners).ConfigureAwait(false);
            }
        }
        else if (type == _listeners)
        {
            var names = XdsReferences.RdsNames(_listeners.Resources.Values.Select(r => r.Message));
            if (_routes.SetNames(names) || (!_routes.Subscribed && names.Count > 0))
            {
                await SubscribeAsync(_routes).ConfigureAwait(false);
            }
        }

        if (type == _clusters || type == _listeners)
        {
            await FollowSecretsAsync().ConfigureAwait(false);
        }
        else if (type == _secrets)
        {
            ScheduleSecretTimer();
        }
    }

    /// <summary>
    /// Subscribes to the secrets the accepted listeners and clusters fetch over ADS; each is awaited from its first
    /// subscription until its initial fetch timeout (a timeout of zero waits as long as it takes).
    /// </summary>
    private async Task FollowSecretsAsync()
    {
        var wanted = new SortedDictionary<string, TimeSpan>(StringComparer.Ordinal);
        foreach (var resource in _clusters.Resources.Values.Concat(_listeners.Resources.Values))
        {
            foreach (var secret in _consumer.SecretsNamedBy(resource.Model))
            {
                wanted.TryAdd(secret.Name, secret.InitialFetchTimeout);
            }
        }

        var now = _options.Time.GetUtcNow();
        foreach (var gone in _secretDeadlines.Keys.Where(n => !wanted.ContainsKey(n)).ToList())
        {
            _secretDeadlines.Remove(gone);
        }

        foreach (var (name, timeout) in wanted)
        {
            if (timeout > TimeSpan.Zero && !_secretDeadlines.ContainsKey(name) && !_secrets.Names.Contains(name))
            {
                _secretDeadlines[name] = now + timeout;
            }
        }

        var names = new SortedSet<string>(wanted.Keys, StringComparer.Ordinal);
        if (_secrets.SetNames(names) || (!_secrets.Subscribed && names.Count > 0))
        {
            await SubscribeAsync(_secrets).ConfigureAwait(false);
        }

        ScheduleSecretTimer();
    }

    private Task SubscribeAsync(XdsTypeState type)
    {
        type.Subscribed = true;
        return SendAsync(type, error: null);
    }

    private Task SendAsync(XdsTypeState type, string? error) => _options.Delta ? SendDeltaAsync(type, error) : SendSotwAsync(type, error);

    /// <summary>
    /// A request for a type: the names subscribed, the version last accepted and the nonce of the last response on this
    /// stream (an ACK, a NACK with <paramref name="error"/>, or a new subscription when no response came yet).
    /// </summary>
    private async Task SendSotwAsync(XdsTypeState type, string? error)
    {
        if (_requests is null)
        {
            return;
        }

        var request = new DiscoveryRequest
        {
            TypeUrl = type.TypeUrl,
            VersionInfo = type.Version,
            ResponseNonce = type.Nonce,
        };
        if (!type.Wildcard)
        {
            request.ResourceNames.AddRange(type.Names);
        }

        if (error is not null)
        {
            request.ErrorDetail = new Google.Rpc.Status { Code = InvalidArgument, Message = error };
        }

        request.Node = NodeOnce();
        await _requests.WriteAsync(request).ConfigureAwait(false);
    }

    /// <summary>The node, for the first request of a stream only.</summary>
    private Weft.Xds.Envoy.Config.Core.V3.Node? NodeOnce()
    {
        if (_nodeSent)
        {
            return null;
        }

        _nodeSent = true;
        return _options.Node.ToNode();
    }

    private XdsConfig View() => new(_clusters.View(), _endpoints.View(), _listeners.View(), _routes.View())
    {
        Secrets = _secrets.View(),
        SecretDeadlines = _secretDeadlines.ToFrozenDictionary(StringComparer.Ordinal),
    };

    private static IMessage Parse(string typeUrl, ByteString bytes) => typeUrl switch
    {
        TypeUrls.Cluster => Cluster.Parser.ParseFrom(bytes),
        TypeUrls.ClusterLoadAssignment => ClusterLoadAssignment.Parser.ParseFrom(bytes),
        TypeUrls.Listener => Listener.Parser.ParseFrom(bytes),
        TypeUrls.RouteConfiguration => RouteConfiguration.Parser.ParseFrom(bytes),
        TypeUrls.Secret => Weft.Xds.Envoy.Extensions.TransportSockets.Tls.V3.Secret.Parser.ParseFrom(bytes),
        _ => throw new InvalidOperationException($"{typeUrl} is not a type the proxy subscribes to"),
    };

    private static string NameOf(IMessage message) => message switch
    {
        Cluster c => c.Name,
        ClusterLoadAssignment a => a.ClusterName,
        Listener l => l.Name,
        RouteConfiguration r => r.Name,
        Weft.Xds.Envoy.Extensions.TransportSockets.Tls.V3.Secret s => s.Name,
        _ => string.Empty,
    };

    public ValueTask DisposeAsync()
    {
        _secretTimer?.Dispose();
        _channel.Dispose();
        return ValueTask.CompletedTask;
    }

    [LoggerMessage(EventId = 100, Level = LogLevel.Information, Message = "xDS: connected to the control plane at {Address}")]
    private static partial void LogConnected(ILogger log, string address);

    [LoggerMessage(EventId = 101, Level = LogLevel.Warning, Message = "xDS: reconnecting to {Address} in {DelayMs:F0} ms ({Reason}); the last accepted configuration keeps serving")]
    private static partial void LogReconnecting(ILogger log, string address, double delayMs, string reason);

    [LoggerMessage(EventId = 102, Level = LogLevel.Debug, Message = "xDS: accepted {Type} version {Version} ({Count} resource(s))")]
    private static partial void LogAccepted(ILogger log, string type, string version, int count);

    [LoggerMessage(EventId = 103, Level = LogLevel.Warning, Message = "xDS: rejected {Type} version {Version}: {Reason}")]
    private static partial void LogRejected(ILogger log, string type, string version, string reason);

    [LoggerMessage(EventId = 104, Level = LogLevel.Debug, Message = "xDS: ignoring {Type} {Name}, which was not requested")]
    private static partial void LogUnrequested(ILogger log, string type, string name);

    [LoggerMessage(EventId = 105, Level = LogLevel.Warning, Message = "xDS: ignoring a response of type {TypeUrl}, which was not requested")]
    private static partial void LogUnexpectedType(ILogger log, string typeUrl);
}
