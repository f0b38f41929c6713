using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.Logging;
using Weft.Proxy.Snapshot;
using Weft.Proxy.Snapshot.Listeners;
using Weft.Xds;
using Weft.Xds.Envoy.Config.Core.V3;

namespace Weft.Proxy.Listeners;

/// <summary>
/// Binds the LDS listeners that own a socket (<c>bind_to_port</c>, as the listeners of a Sidecar's ingress and
/// <c>captureMode: NONE</c> egress, or a gateway's, are), except the two capture listeners, which are the proxy's
/// outbound and inbound sockets. Each has its own accept loop; the accepted sockets are handed to Kestrel through the
/// transport of <see cref="DynamicListenerEndPoint"/> (unix socket listeners too), so they pass the same connection pipeline as the capture
/// listeners' and HTTP chains reach Kestrel's HTTP/1.1 and HTTP/2 servers. A listener that leaves LDS (or moves to
/// another address) stops accepting at once; its open connections are asked to close (HTTP finishes the requests in
/// flight) and whatever is still open after the drain time is cut. A socket that cannot be bound is logged and retried
/// with the next configuration.
/// </summary>
internal sealed partial class DynamicListeners : IConnectionListenerFactory, IConnectionListenerFactorySelector, IAsyncDisposable
{
    private readonly Channel<ConnectionContext> _accepted = Channel.CreateUnbounded<ConnectionContext>();
    private readonly SocketConnectionContextFactory _factory;
    private readonly TimeProvider _time;
    private readonly TimeSpan _drainTime;
    private readonly ILogger<DynamicListeners> _log;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Bound> _bound = new(StringComparer.Ordinal);
    private readonly HashSet<string> _failures = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _stopped;

    public DynamicListeners(TimeProvider time, TimeSpan drainTime, ILoggerFactory loggers)
    {
        _time = time;
        _drainTime = drainTime;
        _log = loggers.CreateLogger<DynamicListeners>();
        _factory = new SocketConnectionContextFactory(new SocketConnectionFactoryOptions { UnsafePreferInlineScheduling = true }, loggers.CreateLogger("Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets"));
    }

    /// <summary>Raised (under no lock) after the set of bound listeners changed, with their addresses.</summary>
    public event Action<IReadOnlyCollection<EndPoint>>? Changed;

    /// <summary>The bound listeners by name, with the address each is bound to (the OS's port when LDS asked for 0).</summary>
    public IReadOnlyDictionary<string, EndPoint> Current
    {
        get
        {
            lock (_gate)
            {
                return _bound.ToDictionary(b => b.Key, b => b.Value.Endpoint, StringComparer.Ordinal);
            }
        }
    }

    /// <summary>Completes with the bound listeners once they satisfy <paramref name="condition"/>.</summary>
    public async Task<IReadOnlyDictionary<string, EndPoint>> WaitAsync(Func<IReadOnlyDictionary<string, EndPoint>, bool> condition, CancellationToken cancel = default)
    {
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                changed = _changed.Task;
            }

            var current = Current;
            if (condition(current))
            {
                return current;
            }

            await changed.WaitAsync(cancel).ConfigureAwait(false);
        }
    }

    /// <summary>Binds what the snapshot adds, unbinds and drains what it drops.</summary>
    public void Apply(ProxySnapshot snapshot)
    {
        var outbound = snapshot.CaptureListener(TrafficDirection.Outbound, ResourceNames.VirtualOutboundListener);
        var inbound = snapshot.CaptureListener(TrafficDirection.Inbound, ResourceNames.VirtualInboundListener);
        var wanted = snapshot.Listeners
            .Where(l => l.BindToPort && !ReferenceEquals(l, outbound) && !ReferenceEquals(l, inbound))
            .ToDictionary(l => l.Name, StringComparer.Ordinal);
        IReadOnlyCollection<EndPoint> endpoints;
        lock (_gate)
        {
            if (_stopped)
            {
                return;
            }

            var changed = false;
            foreach (var (name, bound) in _bound.ToList())
            {
                if (!wanted.TryGetValue(name, out var listener) || !bound.Serves(listener))
                {
                    _bound.Remove(name);
                    bound.StopAccepting();
                    LogUnbound(_log, name, bound.Endpoint, bound.Connections.Count);
                    _ = DrainAsync(bound);
                    changed = true;
                }
            }

            foreach (var listener in wanted.Values.Where(l => !_bound.ContainsKey(l.Name)))
            {
                if (Bind(listener) is { } bound)
                {
                    _bound[listener.Name] = bound;
                    bound.Accepting = AcceptAsync(bound);
                    changed = true;
                }
            }

            if (!changed)
            {
                return;
            }

            endpoints = _bound.Values.Select(b => b.Endpoint).ToArray();
            _changed.TrySetResult();
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        Changed?.Invoke(endpoints);
    }

    /// <summary>
    /// Which of <paramref name="listeners"/> (as an LDS response delivers them) cannot have their socket, each with the
    /// reason in Envoy's words: the xDS client refuses those, as Envoy NACKs a listener it cannot bind, while the others
    /// apply. The check binds and releases the address at once; a port one of the proxy's own listeners holds counts as
    /// free (applying the snapshot releases it first), and what still fails then is logged as before.
    /// </summary>
    public IReadOnlyDictionary<string, string> Unbindable(IReadOnlyList<ListenerModel> listeners)
    {
        var outbound = ProxySnapshot.CaptureListenerOf(listeners, TrafficDirection.Outbound, ResourceNames.VirtualOutboundListener);
        var inbound = ProxySnapshot.CaptureListenerOf(listeners, TrafficDirection.Inbound, ResourceNames.VirtualInboundListener);
        Dictionary<string, string>? refused = null;
        lock (_gate)
        {
            foreach (var listener in listeners)
            {
                if (!listener.BindToPort || listener.Pipe is not null || ReferenceEquals(listener, outbound) || ReferenceEquals(listener, inbound))
                {
                    continue;
                }

                // One socket tries what binding will do: the transparent option (it needs CAP_NET_ADMIN) even where
                // the port is already bound here, then the bind itself where it is not.
                var free = listener.Port != 0 && !_bound.Values.Any(b => b.Port == listener.Port && b.Pipe is null);
                if (!free && !listener.Transparent)
                {
                    continue;
                }

                var endpoint = new IPEndPoint(listener.Address, listener.Port);
                using var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
                var makingTransparent = listener.Transparent;
                try
                {
                    if (makingTransparent)
                    {
                        TransparentSockets.MakeTransparent(socket);
                        makingTransparent = false;
                    }

                    if (free)
                    {
                        socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
                        socket.Bind(endpoint);
                        socket.Listen(1);
                    }
                }
                catch (Exception e) when (e is SocketException or PlatformNotSupportedException)
                {
                    (refused ??= new(StringComparer.Ordinal))[listener.Name] = $"cannot bind '{endpoint}'{(makingTransparent ? " transparent" : string.Empty)}: {e.Message}";
                }
            }
        }

        return refused ?? (IReadOnlyDictionary<string, string>)System.Collections.Immutable.ImmutableDictionary<string, string>.Empty;
    }

    private Bound? Bind(ListenerModel listener)
    {
        EndPoint endpoint = listener.Pipe is { } pipe ? new UnixDomainSocketEndPoint(UnixPath(pipe)) : new IPEndPoint(listener.Address, listener.Port);
        var socket = listener.Pipe is null
            ? new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp)
            : new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            if (listener.Pipe is null)
            {
                socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
                if (listener.Transparent)
                {
                    TransparentSockets.MakeTransparent(socket);
                }
            }
            else if (!listener.Pipe.StartsWith('@') && File.Exists(listener.Pipe))
            {
                File.Delete(listener.Pipe); // a socket file left behind by an earlier proxy
            }

            socket.Bind(endpoint);
            socket.Listen(512);
            _failures.Remove(listener.Name);
            var bound = new Bound(listener.Name, listener.Address, listener.Port, listener.Pipe, listener.Transparent, socket);
            LogBound(_log, listener.Name, bound.Endpoint);
            return bound;
        }
        catch (Exception e) when (e is SocketException or ArgumentException or NotSupportedException or IOException or UnauthorizedAccessException)
        {
            socket.Dispose();
            if (_failures.Add(listener.Name))
            {
                LogBindFailed(_log, listener.Name, endpoint, e.Message);
            }

            return null;
        }
    }

    private async Task AcceptAsync(Bound bound)
    {
        while (true)
        {
            Socket client;
            try
            {
                client = await bound.Socket.AcceptAsync(bound.Stop.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException || bound.Stop.IsCancellationRequested)
            {
                return;
            }
            catch (SocketException e)
            {
                LogAcceptFailed(_log, bound.Name, e.Message);
                continue;
            }

            if (client.AddressFamily is AddressFamily.InterNetwork or AddressFamily.InterNetworkV6)
            {
                client.NoDelay = true;
            }

            var connection = _factory.Create(client);
            bound.Connections[connection] = 0;
            connection.Features.Set(new BoundListenerFeature(bound.Name, () => bound.Connections.TryRemove(connection, out _)));
            if (!_accepted.Writer.TryWrite(connection))
            {
                await connection.DisposeAsync().ConfigureAwait(false);
                return;
            }
        }
    }

    /// <summary>Envoy writes abstract unix sockets as <c>@name</c>; the socket API takes a leading NUL.</summary>
    private static string UnixPath(string pipe) => pipe.StartsWith('@') ? "\0" + pipe[1..] : pipe;

    /// <summary>Asks every connection of a removed listener to close, and cuts those still open after the drain time.</summary>
    private async Task DrainAsync(Bound bound)
    {
        foreach (var connection in bound.Connections.Keys)
        {
            Quietly(() => connection.Features.Get<IConnectionLifetimeNotificationFeature>()?.RequestClose());
        }

        if (!bound.Connections.IsEmpty)
        {
            try
            {
                await Task.Delay(_drainTime, _time, _stopping.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return; // The proxy is stopping: Kestrel drains everything.
            }

            foreach (var connection in bound.Connections.Keys)
            {
                Quietly(() => connection.Abort(new ConnectionAbortedException($"listener {bound.Name} was removed")));
            }
        }

        bound.Stop.Dispose();
    }

    /// <summary>A connection may finish (and be disposed) while it is being drained.</summary>
    private static void Quietly(Action action)
    {
        try
        {
            action();
        }
        catch (ObjectDisposedException)
        {
        }
    }

    public bool CanBind(EndPoint endpoint) => endpoint is DynamicListenerEndPoint;

    public ValueTask<IConnectionListener> BindAsync(EndPoint endpoint, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult<IConnectionListener>(new KestrelSide(this));

    /// <summary>
    /// Stops every accept loop (Kestrel unbinding its endpoint, or the proxy stopping); connections already handed to
    /// Kestrel are Kestrel's to drain.
    /// </summary>
    public async ValueTask StopAcceptingAsync()
    {
        Bound[] all;
        lock (_gate)
        {
            if (_stopped)
            {
                return;
            }

            _stopped = true;
            all = [.. _bound.Values];
            _bound.Clear();
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        foreach (var bound in all)
        {
            bound.StopAccepting();
            if (bound.Accepting is { } accepting)
            {
                await accepting.ConfigureAwait(false);
            }
        }

        _accepted.Writer.TryComplete();
        while (_accepted.Reader.TryRead(out var orphan))
        {
            await orphan.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Once Kestrel is gone: the sockets' memory pool goes too (connections still open would need it).</summary>
    public async ValueTask DisposeAsync()
    {
        await StopAcceptingAsync().ConfigureAwait(false);
        _factory.Dispose();
        _stopping.Dispose();
    }

    /// <summary>One bound listener: its socket, its accept loop and its open connections.</summary>
    private sealed class Bound(string name, IPAddress address, int port, string? pipe, bool transparent, Socket socket)
    {
        public string Name { get; } = name;

        public int Port { get; } = port;

        public string? Pipe { get; } = pipe;

        public Socket Socket { get; } = socket;

        public EndPoint Endpoint { get; } = socket.LocalEndPoint!;

        public CancellationTokenSource Stop { get; } = new();

        public ConcurrentDictionary<ConnectionContext, byte> Connections { get; } = new();

        public Task? Accepting { get; set; }

        /// <summary>Whether the listener still asks for this socket (same address and port).</summary>
        public bool Serves(ListenerModel listener) => listener.Address.Equals(address) && listener.Port == Port && listener.Pipe == Pipe && listener.Transparent == transparent;

        public void StopAccepting()
        {
            Stop.Cancel();
            Socket.Dispose();
            if (Pipe is not null && !Pipe.StartsWith('@'))
            {
                try
                {
                    File.Delete(Pipe);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                }
            }
        }
    }

    /// <summary>What Kestrel sees: a listener whose connections are those the bound sockets accept.</summary>
    private sealed class KestrelSide(DynamicListeners owner) : IConnectionListener
    {
        public EndPoint EndPoint => DynamicListenerEndPoint.Instance;

        public async ValueTask<ConnectionContext?> AcceptAsync(CancellationToken cancellationToken = default)
        {
            try
            {
                return await owner._accepted.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (ChannelClosedException)
            {
                return null;
            }
        }

        public ValueTask UnbindAsync(CancellationToken cancellationToken = default) => owner.StopAcceptingAsync();

        public ValueTask DisposeAsync() => owner.StopAcceptingAsync();
    }

    [LoggerMessage(EventId = 410, Level = LogLevel.Information, Message = "listener {Listener} bound to {Address}")]
    private static partial void LogBound(ILogger log, string listener, EndPoint address);

    [LoggerMessage(EventId = 411, Level = LogLevel.Error, Message = "listener {Listener} cannot bind {Address}: {Reason}; it serves nothing until a configuration lets it bind")]
    private static partial void LogBindFailed(ILogger log, string listener, EndPoint address, string reason);

    [LoggerMessage(EventId = 412, Level = LogLevel.Information, Message = "listener {Listener} on {Address} removed; draining its {Connections} connection(s)")]
    private static partial void LogUnbound(ILogger log, string listener, EndPoint address, int connections);

    [LoggerMessage(EventId = 413, Level = LogLevel.Warning, Message = "listener {Listener} failed to accept a connection: {Reason}")]
    private static partial void LogAcceptFailed(ILogger log, string listener, string reason);
}
