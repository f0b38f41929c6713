using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Threading.Channels;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using Weft.Control.Generators;
using Weft.Control.Metrics;
using Weft.Control.Model;
using Weft.Control.Push;
using Weft.Xds;
using Weft.Xds.Envoy.Service.Discovery.V3;

namespace Weft.Control.Xds;

/// <summary>
/// The ADS server: accepts state-of-the-world and delta streams, answers requests by the protocol rules, and pushes each new
/// push context to every connected proxy, sending per type only what changed for that proxy.
/// </summary>
public sealed partial class XdsServer : IDisposable
{
    private readonly ConcurrentDictionary<string, XdsConnection> _connections = new(StringComparer.Ordinal);
    private readonly GeneratorSet _generators;
    private readonly ControlMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private volatile PushContext _push = PushContext.Empty;
    private long _nonce;
    private readonly CancellationTokenSource _stopping = new();
    private readonly NameSet.Table _names = new();
    private readonly SemaphoreSlim _pushes;

    /// <param name="pushConcurrency">How many proxies are pushed to at once (Istio's <c>PILOT_PUSH_THROTTLE</c>); others wait their turn.</param>
    public XdsServer(GeneratorSet generators, ControlMetrics metrics, TimeProvider time, ILogger<XdsServer> log, int pushConcurrency = DefaultPushConcurrency)
    {
        _generators = generators;
        _metrics = metrics;
        _time = time;
        _log = log;
        _pushes = new SemaphoreSlim(Math.Max(1, pushConcurrency));
    }

    /// <summary>
    /// Istio allows 100 concurrent pushes. Here each send holds its whole serialized response in Kestrel's buffers until
    /// the client has taken it, and Kestrel keeps those buffers pooled afterwards, so the bound is also the control plane's
    /// peak memory for a reconnect storm (a 4 MB sidecar configuration times the bound); 32 keeps two cores busy.
    /// </summary>
    public const int DefaultPushConcurrency = 32;

    public PushContext Current => _push;

    /// <summary>How a stream's proxy proves its namespace; <c>weft control</c> sets it from <c>--require-tokens</c>.</summary>
    internal XdsAuthenticator Authenticator { get; set; } = XdsAuthenticator.Local;

    public IReadOnlyCollection<XdsConnection> Connections => _connections.Values.ToArray();

    /// <summary>Ends every stream (clients reconnect elsewhere or later); used when the control plane stops.</summary>
    public void Stop() => _stopping.Cancel();

    public void Dispose()
    {
        _stopping.Dispose();
        _pushes.Dispose();
    }

    /// <summary>Makes <paramref name="push"/> current and queues it for every connected proxy.</summary>
    public void Push(PushContext push)
    {
        _push = push;
        var now = _time.GetUtcNow();
        foreach (var connection in _connections.Values)
        {
            connection.Enqueue(push, now);
        }
    }

    /// <summary>Serves one state-of-the-world ADS stream until the client ends it.</summary>
    public async Task RunSotwAsync(IAsyncStreamReader<DiscoveryRequest> requests, IServerStreamWriter<DiscoveryResponse> responses, XdsCaller caller, CancellationToken cancel)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancel, _stopping.Token);
        cancel = linked.Token;
        var stream = new Stream<DiscoveryRequest>(requests, cancel);
        XdsConnection? connection = null;
        try
        {
            await foreach (var item in stream.Events(cancel).ConfigureAwait(false))
            {
                if (item.Request is { } request)
                {
                    if (connection is null)
                    {
                        connection = Connect(request.Node, caller, delta: false);
                        stream.Connected(connection);
                    }

                    await HandleSotwAsync(connection, request, responses).ConfigureAwait(false);
                }
                else if (connection is not null)
                {
                    await PushPendingAsync(connection, (push, since) => PushSotwAsync(connection, push, since, responses), cancel).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            Disconnect(connection);
        }
    }

    /// <summary>Serves one delta ADS stream until the client ends it.</summary>
    public async Task RunDeltaAsync(IAsyncStreamReader<DeltaDiscoveryRequest> requests, IServerStreamWriter<DeltaDiscoveryResponse> responses, XdsCaller caller, CancellationToken cancel)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancel, _stopping.Token);
        cancel = linked.Token;
        var stream = new Stream<DeltaDiscoveryRequest>(requests, cancel);
        XdsConnection? connection = null;
        try
        {
            await foreach (var item in stream.Events(cancel).ConfigureAwait(false))
            {
                if (item.Request is { } request)
                {
                    if (connection is null)
                    {
                        connection = Connect(request.Node, caller, delta: true);
                        stream.Connected(connection);
                    }

                    await HandleDeltaAsync(connection, request, responses).ConfigureAwait(false);
                }
                else if (connection is not null)
                {
                    await PushPendingAsync(connection, (push, since) => PushDeltaAsync(connection, push, since, responses), cancel).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            Disconnect(connection);
        }
    }

    private XdsConnection Connect(Weft.Xds.Envoy.Config.Core.V3.Node? node, XdsCaller caller, bool delta)
    {
        if (node is null || node.Id.Length == 0)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "the first request of a stream must carry the node (its id is missing)"));
        }

        var proxy = ProxyNode.Parse(node, _push.Registry, out var error)
            ?? throw new RpcException(new Status(StatusCode.InvalidArgument, error ?? "invalid node"));
        var verified = Authenticator.Verify(proxy, caller, out var refusal);
        if (refusal is not null)
        {
            LogRefused(_log, proxy.Id, caller.Peer, refusal);
            throw new RpcException(new Status(StatusCode.Unauthenticated, refusal));
        }

        proxy = proxy with { VerifiedNamespace = verified };
        var connection = new XdsConnection(proxy, caller.Peer, delta, _time.GetUtcNow(), _names);
        _connections[connection.Id] = connection;
        _metrics.Connections.WithLabels("weft").Inc();
        LogConnected(_log, proxy.Id, caller.Peer, delta ? "delta" : "state-of-the-world");
        return connection;
    }

    private void Disconnect(XdsConnection? connection)
    {
        if (connection is not null && _connections.TryRemove(connection.Id, out _))
        {
            _metrics.Connections.WithLabels("weft").Dec();
            LogDisconnected(_log, connection.Proxy.Id);
        }
    }

    /// <summary>The proxy as seen by this push: re-resolved so a WorkloadEntry change reaches it.</summary>
    private static ProxyNode Refresh(XdsConnection connection, PushContext push, Weft.Xds.Envoy.Config.Core.V3.Node? node)
    {
        _ = node;
        var workload = push.Registry.FindWorkload(connection.Proxy.WorkloadName, connection.Proxy.Namespace);
        if (ReferenceEquals(workload, connection.Proxy.Workload))
        {
            return connection.Proxy;
        }

        var labels = new Dictionary<string, string>(workload?.Labels ?? new Dictionary<string, string>());
        connection.Proxy = connection.Proxy with
        {
            Workload = workload,
            Labels = labels,
            ServiceAccount = workload?.ServiceAccount is { Length: > 0 } sa ? sa : connection.Proxy.ServiceAccount,
        };
        return connection.Proxy;
    }

    /// <summary>Sends the connection's pending push, if any, in one of the bounded slots.</summary>
    private async Task PushPendingAsync(XdsConnection connection, Func<PushContext, DateTimeOffset, Task> send, CancellationToken cancel)
    {
        await _pushes.WaitAsync(cancel).ConfigureAwait(false);
        try
        {
            // Taken after the wait, so a proxy that waited gets the newest push only.
            var (push, since) = connection.TakePush();
            if (push is not null)
            {
                await send(push, since).ConfigureAwait(false);
            }
        }
        finally
        {
            _pushes.Release();
        }
    }

    /// <summary>
    /// Runs a send among the bounded number of concurrent ones. A response is generated, serialized into the stream's
    /// buffers and held there until the client takes it, so the bound is also a bound on the memory of a reconnect storm.
    /// </summary>
    private async Task ThrottledAsync(Func<Task> send)
    {
        await _pushes.WaitAsync(_stopping.Token).ConfigureAwait(false);
        try
        {
            await send().ConfigureAwait(false);
        }
        finally
        {
            _pushes.Release();
        }
    }

    private string NextNonce() => Interlocked.Increment(ref _nonce).ToString(CultureInfo.InvariantCulture) + "-" + Guid.NewGuid().ToString("N")[..8];

    private ResourceSet Generate(XdsConnection connection, PushContext push, WatchedType watched)
    {
        var generator = _generators.For(watched.TypeUrl)!;
        var started = Stopwatch.GetTimestamp();
        var proxy = Refresh(connection, push, null);
        var resources = generator.GenerateSet(proxy, push, watched.Wildcard ? null : watched.Subscription);
        _metrics.PushTime.WithLabels(ControlMetrics.TypeLabel(watched.TypeUrl)).Observe(Stopwatch.GetElapsedTime(started).TotalSeconds);
        return resources;
    }

    private void RecordSent(XdsConnection connection, WatchedType watched, string nonce, string version, int bytes)
    {
        _ = connection;
        watched.NonceSent = nonce;
        watched.VersionSent = version;
        watched.SentAt = _time.GetUtcNow();
        var type = ControlMetrics.TypeLabel(watched.TypeUrl);
        _metrics.Pushes.WithLabels(type).Inc();
        _metrics.ConfigSize.WithLabels(type).Observe(bytes);
    }

    private void RecordAck(WatchedType watched, string nonce, string version)
    {
        watched.NonceAcked = nonce;
        watched.VersionAcked = version;
        watched.LastRejection = null;
        if (watched.PushStartedAt is { } started)
        {
            _metrics.ConvergenceTime.Observe((_time.GetUtcNow() - started).TotalSeconds);
            watched.PushStartedAt = null;
        }
    }

    private void RecordNack(XdsConnection connection, WatchedType watched, string nonce, string message)
    {
        watched.LastRejection = new Rejection(nonce, watched.NonceSent == nonce ? watched.VersionSent ?? string.Empty : string.Empty, message, _time.GetUtcNow());
        watched.PushStartedAt = null;
        _metrics.Rejects.WithLabels(ControlMetrics.TypeLabel(watched.TypeUrl)).Inc();
        LogRejected(_log, connection.Proxy.Id, TypeUrls.ShortName(watched.TypeUrl), nonce, message);
    }

    [LoggerMessage(EventId = 300, Level = LogLevel.Information, Message = "xDS: {ProxyId} connected from {Peer} ({Protocol})")]
    private static partial void LogConnected(ILogger log, string proxyId, string peer, string protocol);

    /// <summary>Secrets asked for on a stream without a verified identity: none are sent, and the log says why, once per stream.</summary>
    private void NoteUnverifiedSecrets(XdsConnection connection, string typeUrl)
    {
        if (typeUrl == TypeUrls.Secret && connection.Proxy.VerifiedNamespace is null && connection.MarkUnverifiedSecretsNoted())
        {
            LogUnverifiedSecrets(_log, connection.Proxy.Id, connection.Peer);
        }
    }

    [LoggerMessage(EventId = 304, Level = LogLevel.Warning, Message = "xDS: {ProxyId} from {Peer} refused: {Reason}")]
    private static partial void LogRefused(ILogger log, string proxyId, string peer, string reason);

    [LoggerMessage(EventId = 305, Level = LogLevel.Warning, Message = "xDS: {ProxyId} from {Peer} asked for secrets over plaintext xDS; secrets are only served to proxies that connect to --secure-xds-address, within their own namespace")]
    private static partial void LogUnverifiedSecrets(ILogger log, string proxyId, string peer);

    [LoggerMessage(EventId = 301, Level = LogLevel.Information, Message = "xDS: {ProxyId} disconnected")]
    private static partial void LogDisconnected(ILogger log, string proxyId);

    [LoggerMessage(EventId = 302, Level = LogLevel.Warning, Message = "xDS: {ProxyId} rejected {Type} (nonce {Nonce}): {Message}")]
    private static partial void LogRejected(ILogger log, string proxyId, string type, string nonce, string message);

    [LoggerMessage(EventId = 303, Level = LogLevel.Debug, Message = "xDS: {ProxyId} asked for {Type}, which Weft does not serve")]
    private static partial void LogUnknownType(ILogger log, string proxyId, string type);

    /// <summary>Merges a stream's requests with push signals into one sequence the stream loop handles in order.</summary>
    private sealed class Stream<TRequest>(IAsyncStreamReader<TRequest> requests, CancellationToken cancel)
        where TRequest : class
    {
        private readonly TaskCompletionSource<XdsConnection> _connected = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>Starts delivering push signals of this connection (once its first request named the node).</summary>
        public void Connected(XdsConnection connection) => _connected.TrySetResult(connection);

        public async IAsyncEnumerable<StreamEvent<TRequest>> Events([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken token)
        {
            var channel = Channel.CreateUnbounded<StreamEvent<TRequest>>(new UnboundedChannelOptions { SingleReader = true });
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancel, token);
            var reader = Task.Run(async () =>
            {
                try
                {
                    while (await requests.MoveNext(linked.Token).ConfigureAwait(false))
                    {
                        await channel.Writer.WriteAsync(new StreamEvent<TRequest>(requests.Current), linked.Token).ConfigureAwait(false);
                    }

                    channel.Writer.TryComplete();
                }
                catch (Exception e)
                {
                    channel.Writer.TryComplete(e is OperationCanceledException ? null : e);
                }
            }, CancellationToken.None);
            var pushes = Task.Run(async () =>
            {
                try
                {
                    var c = await _connected.Task.WaitAsync(linked.Token).ConfigureAwait(false);
                    while (!linked.Token.IsCancellationRequested)
                    {
                        await c.PushSignal.WaitAsync(linked.Token).ConfigureAwait(false);
                        channel.Writer.TryWrite(new StreamEvent<TRequest>(null));
                    }
                }
                catch (OperationCanceledException)
                {
                }
            }, CancellationToken.None);
            try
            {
                await foreach (var item in channel.Reader.ReadAllAsync(linked.Token).ConfigureAwait(false))
                {
                    yield return item;
                }
            }
            finally
            {
                await linked.CancelAsync().ConfigureAwait(false);
                await Task.WhenAll(reader, pushes).ConfigureAwait(false);
            }
        }
    }

    private readonly record struct StreamEvent<TRequest>(TRequest? Request)
        where TRequest : class;
}
