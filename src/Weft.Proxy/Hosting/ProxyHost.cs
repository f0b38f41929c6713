using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Weft.Proxy.Admin;
using Weft.Proxy.Authorization;
using Weft.Proxy.Http;
using Weft.Proxy.Http.Mirroring;
using Weft.Proxy.Identity;
using Weft.Proxy.Listeners;
using Weft.Proxy.Snapshot;
using Weft.Proxy.Tcp;
using Weft.Proxy.Telemetry;
using Weft.Proxy.Telemetry.AccessLog;
using Weft.Proxy.Xds;
using Yarp.ReverseProxy.Forwarder;

namespace Weft.Proxy.Hosting;

/// <summary>
/// A running proxy: its xDS client, the snapshot it serves, and its listeners (outbound, inbound, admin, health, stats,
/// and those LDS asks it to bind).
/// <see cref="StartAsync"/> returns once every socket is bound; the proxy becomes ready when the first complete
/// configuration arrives (<see cref="WaitUntilReadyAsync"/>). <see cref="DisposeAsync"/> stops accepting, lets requests in
/// flight finish within <see cref="ProxyOptions.DrainTimeout"/>, and closes everything; <c>/quitquitquit</c> does the same.
/// </summary>
public sealed class ProxyHost : IAsyncDisposable
{
    /// <summary>Envoy's default cap on a request's headers (<c>max_request_headers_kb</c>, 60 KiB); more is 431.</summary>
    internal const int EnvoyMaxRequestHeadersBytes = 60 * 1024;

    /// <summary>Envoy's default cap on the number of request headers (<c>max_headers_count</c>); more is 431.</summary>
    internal const int EnvoyMaxRequestHeaderCount = 100;

    private readonly WebApplication _app;
    private readonly XdsClient _xds;
    private readonly UpstreamTransports _transports;
    private readonly MirrorSender _mirrors;
    private readonly DynamicListeners _dynamicListeners;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _xdsLoop;
    private readonly Task _identityLoop;
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _disposing;

    private ProxyHost(ProxyOptions options, NodeIdentity node, WebApplication app, XdsClient xds, SnapshotState state, UpstreamTransports transports, RequestTelemetry telemetry, TcpTelemetry tcpTelemetry, MirrorSender mirrors, IReadOnlyDictionary<ListenerRole, IPEndPoint> bound, DynamicListeners dynamicListeners, SecretStore secrets, CertificateRotator? rotator, Weft.Proxy.Tls.TlsCounters tlsCounters)
    {
        Secrets = secrets;
        TlsCounters = tlsCounters;
        _identityLoop = rotator is null ? Task.CompletedTask : Task.Run(() => rotator.RunAsync(_stop.Token));
        Telemetry = telemetry;
        TcpTelemetry = tcpTelemetry;
        _mirrors = mirrors;
        _dynamicListeners = dynamicListeners;
        Options = options;
        Node = node;
        _app = app;
        _xds = xds;
        State = state;
        _transports = transports;
        OutboundEndpoint = bound[ListenerRole.Outbound];
        InboundEndpoint = bound[ListenerRole.Inbound];
        AdminEndpoint = bound[ListenerRole.Admin];
        HealthEndpoint = bound[ListenerRole.Health];
        StatsEndpoint = bound[ListenerRole.Stats];
        _xdsLoop = Task.Run(() => xds.RunAsync(_stop.Token));
    }

    public ProxyOptions Options { get; }

    public NodeIdentity Node { get; }

    /// <summary>Where the outbound listener is bound (with the port the OS chose, when asked for 0).</summary>
    public IPEndPoint OutboundEndpoint { get; }

    public IPEndPoint InboundEndpoint { get; }

    public IPEndPoint AdminEndpoint { get; }

    public IPEndPoint HealthEndpoint { get; }

    public IPEndPoint StatsEndpoint { get; }

    /// <summary>
    /// The LDS listeners the proxy bound sockets for (<c>bind_to_port</c>), by name, with the address each is bound to
    /// (the port the OS chose when a listener asks for port 0).
    /// </summary>
    public IReadOnlyDictionary<string, EndPoint> BoundListeners => _dynamicListeners.Current;

    /// <summary>The service account a workload has when none is given (Kubernetes' <c>default</c>).</summary>
    public const string DefaultServiceAccount = "default";

    /// <summary>Whether a complete configuration is in force (and, in secure mode, the workload certificate is in hand).</summary>
    public bool IsReady => State.IsReady && Secrets.HasIdentity;

    /// <summary>The workload certificate, trust bundle and file secrets TLS contexts use.</summary>
    internal SecretStore Secrets { get; }

    /// <summary>TLS handshakes made and failed, upstream per cluster and downstream per listener.</summary>
    internal Weft.Proxy.Tls.TlsCounters TlsCounters { get; }

    /// <summary>Completes once the proxy has stopped, by <see cref="DisposeAsync"/> or by <c>/quitquitquit</c>.</summary>
    public Task Completion => _completion.Task;

    internal SnapshotState State { get; }

    /// <summary>Whether stopping has begun (admin and health then answer "draining").</summary>
    internal bool IsStopping => Volatile.Read(ref _disposing) == 1;

    internal XdsConnectionStatus XdsStatus => _xds.Status;

    /// <summary>Istio's standard metrics and the access logs of HTTP requests.</summary>
    internal RequestTelemetry Telemetry { get; }

    /// <summary>Where the TCP path reports proxied connections for Istio's TCP metrics.</summary>
    internal TcpTelemetry TcpTelemetry { get; }

    /// <summary>
    /// Starts a proxy. Throws <see cref="FormatException"/> for a malformed node id or address (the message names it) and
    /// <see cref="IOException"/> when an address cannot be bound.
    /// </summary>
    public static async Task<ProxyHost> StartAsync(ProxyOptions options, ILoggerFactory loggerFactory, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        var node = NodeIdentity.Parse(options.NodeId) with
        {
            Labels = options.Labels,
            ClusterId = options.ClusterId,
            ServiceAccount = options.ServiceAccount,
            InterceptionMode = options.InterceptionMode,
        };
        var (xdsAddress, security, caAddress, caSecurity) = ControlPlane(options);
        var secrets = new SecretStore(options.Time, identityExpected: caAddress is not null);
        var addresses = new Dictionary<ListenerRole, IPEndPoint>
        {
            [ListenerRole.Outbound] = ListenAddress.Parse(options.OutboundAddress, "--outbound-address"),
            [ListenerRole.Inbound] = ListenAddress.Parse(options.InboundAddress, "--inbound-address"),
            [ListenerRole.Admin] = ListenAddress.Parse(options.AdminAddress, "--admin-address"),
            [ListenerRole.Health] = ListenAddress.Parse(options.HealthAddress, "--health-address"),
            [ListenerRole.Stats] = ListenAddress.Parse(options.StatsAddress, "--stats-address"),
        };

        var local = WorkloadMetadata.Local(node.Name, node.Namespace, options.Labels, options.ClusterId);
        var logs = new AccessLogs(
            string.IsNullOrEmpty(options.AccessLogPath) ? null : AccessLogConfig.ForOption(options.AccessLogPath, options.AccessLogEncoding),
            loggerFactory.CreateLogger<AccessLogs>());
        try
        {
            _ = logs.OptionWriter;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"cannot open the access log {options.AccessLogPath}: {e.Message}", e);
        }

        var telemetry = new RequestTelemetry(new IstioMetrics(local), new PeerMetadataExchange(node.Id, node.Name, local), logs, options.Time, options.TcpReportingInterval);
        var tcpExchange = new TcpPeerExchange(node.Id, node.Name, local);
        var state = new SnapshotState();
        var tlsCounters = new Weft.Proxy.Tls.TlsCounters();
        var origination = new Weft.Proxy.Tls.TlsOrigination(secrets, tlsCounters, loggerFactory.CreateLogger<Weft.Proxy.Tls.TlsOrigination>());
        var transports = new UpstreamTransports(origination);
        state.Published += snapshot => transports.Keep(snapshot.Clusters.Keys.ToHashSet(StringComparer.Ordinal));
        var builder = new SnapshotBuilder(state, options.Time, loggerFactory.CreateLogger<SnapshotBuilder>(), options.Random, secrets);
        var xds = new XdsClient(
            new XdsClientOptions
            {
                Address = xdsAddress,
                Security = security,

                // Presented to the control plane only when it is also the CA that issued it (it could not verify one
                // from another CA, and would end the handshake).
                ClientCertificate = security is not null && caAddress == xdsAddress ? () => secrets.Workload : null,
                Node = node,
                Delta = options.XdsProtocol == XdsProtocol.Delta,
                Time = options.Time,
                ReconnectInitial = options.ReconnectInitial,
                ReconnectMaximum = options.ReconnectMaximum,
            },
            builder,
            loggerFactory.CreateLogger<XdsClient>());

        CertificateRotator? rotator = null;
        if (caAddress is not null && caSecurity is not null)
        {
            var spiffe = $"spiffe://{options.TrustDomain}/ns/{node.Namespace}/sa/{options.ServiceAccount ?? DefaultServiceAccount}";
            var ca = new Weft.Xds.Istio.Security.V1Alpha1.IstioCertificateService.IstioCertificateServiceClient(ControlPlaneSecurity.Channel(caAddress, caSecurity));
            rotator = new CertificateRotator(new CertificateClient(ca, node, spiffe, caSecurity, options.WorkloadCertTtl, options.Time), secrets, options.Time, loggerFactory.CreateLogger<CertificateRotator>());
        }

        var tcpTelemetry = new TcpTelemetry(telemetry.Metrics);
        var endpoints = new ProxyEndpoints();
        var random = options.Random ?? (() => (ulong)System.Random.Shared.NextInt64(long.MaxValue));
        var tcp = new TcpProxy(options.Time, random, endpoints, transports, new TcpConnectionEvents(loggerFactory.CreateLogger<TcpConnectionEvents>(), tcpTelemetry, options.Time, options.TcpReportingInterval, logs), loggerFactory.CreateLogger<TcpProxy>(), origination, tcpExchange);
        var termination = new Weft.Proxy.Tls.TlsTermination(secrets, tlsCounters, options.Time, loggerFactory.CreateLogger<Weft.Proxy.Tls.TlsTermination>());
        var extAuthz = new ExtAuthzClient(transports, options.Time, random, loggerFactory.CreateLogger<ExtAuthzClient>());
        var captures = new CaptureSockets(addresses);
        var pipeline = new ConnectionPipeline(state, tcp, options.Time, loggerFactory.CreateLogger<ConnectionPipeline>(), termination, extAuthz, captures);
        var dynamicListeners = new DynamicListeners(options.Time, options.DrainTimeout, loggerFactory);
        dynamicListeners.Changed += bound => endpoints.SetBound(bound.OfType<IPEndPoint>());
        state.Published += dynamicListeners.Apply;
        builder.UnbindableListeners = listeners => dynamicListeners.Unbindable(listeners).Concat(captures.Prepare(listeners)).ToDictionary(StringComparer.Ordinal);
        var listens = new Dictionary<ListenerRole, ListenOptions>();
        // Configured by its options and xDS alone: the slim builder also read appsettings.json and the environment
        // (binding a Kestrel section found there) and kept a thread watching the working directory for changes.
        var web = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        web.WebHost.UseKestrelCore();
        web.Logging.ClearProviders();
        web.Services.AddSingleton<ILoggerFactory>(new KestrelLogFilter(loggerFactory));
        web.Services.Configure<Microsoft.Extensions.Hosting.HostOptions>(o => o.ShutdownTimeout = options.DrainTimeout);
        web.Services.AddHttpForwarder();
        web.Services.AddSingleton<IConnectionListenerFactory>(dynamicListeners);

        // A connection's work runs on the thread its socket event arrived on, as in an event loop: no hand-off to
        // the thread pool (a wake-up and a context switch) between reading a request, forwarding it and writing the
        // answer. Nothing on the request path blocks; configuration is compiled off these threads (XdsClient).
        web.Services.Configure<SocketTransportOptions>(o =>
        {
            o.UnsafePreferInlineScheduling = true;
            o.CreateBoundListenSocket = captures.Create;
        });
        web.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.AllowHostHeaderOverride = true;
            kestrel.AllowAlternateSchemes = true;
            // Envoy's defaults rather than Kestrel's: no body size or data-rate limits (long-lived streams stay up),
            // an hour of keep-alive, and many concurrent HTTP/2 streams per connection.
            kestrel.Limits.MaxRequestBodySize = null;
            kestrel.Limits.MaxRequestHeadersTotalSize = EnvoyMaxRequestHeadersBytes;
            kestrel.Limits.MaxRequestHeaderCount = EnvoyMaxRequestHeaderCount;
            kestrel.Limits.MinRequestBodyDataRate = null;
            kestrel.Limits.MinResponseDataRate = null;
            kestrel.Limits.KeepAliveTimeout = TimeSpan.FromHours(1);
            kestrel.Limits.Http2.MaxStreamsPerConnection = 1024;
            foreach (var (role, endpoint) in addresses)
            {
                kestrel.Listen(endpoint, listen =>
                {
                    listen.Protocols = role is ListenerRole.Outbound or ListenerRole.Inbound ? HttpProtocols.Http1AndHttp2 : HttpProtocols.Http1;
                    var feature = new ListenerRoleFeature(role);
                    listen.Use(next => connection =>
                    {
                        connection.Features.Set(feature);
                        return next(connection);
                    });
                    if (role is ListenerRole.Outbound or ListenerRole.Inbound)
                    {
                        listen.Use(next => connection => pipeline.OnConnectionAsync(connection, next));
                    }

                    listens[role] = listen;
                });
            }

            kestrel.Listen(DynamicListenerEndPoint.Instance, listen =>
            {
                listen.Protocols = HttpProtocols.Http1AndHttp2;
                var feature = new ListenerRoleFeature(ListenerRole.Dynamic);
                listen.Use(next => connection =>
                {
                    connection.Features.Set(feature);
                    return next(connection);
                });
                listen.Use(next => connection => pipeline.OnConnectionAsync(connection, next));
            });
        });

        var app = web.Build();
        var mirrors = new MirrorSender(transports, options.Time, random, loggerFactory.CreateLogger<MirrorSender>());
        var router = new Router(transports, app.Services.GetRequiredService<IHttpForwarder>(), options.Time, random, endpoints, mirrors);
        var handler = new ProxyRequestHandler(state, router, telemetry, extAuthz, loggerFactory.CreateLogger<ProxyRequestHandler>(), options.RequestCompleted);
        ProxyHost? host = null;
        var admin = new AdminApi(
            state,
            telemetry,
            () => xds.Status,
            () => host?.IsStopping == true,
            () => _ = Task.Run(async () => await host!.DisposeAsync().ConfigureAwait(false)),
            transports,
            secrets,
            tlsCounters);
        app.Run(context => (context.Features.Get<ListenerRoleFeature>()?.Role) switch
        {
            ListenerRole.Outbound => handler.HandleAsync(context, ListenerRole.Outbound),
            ListenerRole.Inbound => handler.HandleAsync(context, ListenerRole.Inbound),
            ListenerRole.Dynamic => handler.HandleAsync(context, ListenerRole.Dynamic),
            ListenerRole.Admin => admin.HandleAsync(context),
            ListenerRole.Health => admin.HealthAsync(context),
            ListenerRole.Stats => admin.StatsAsync(context),
            _ => NotFound(context),
        });

        try
        {
            await app.StartAsync(cancel).ConfigureAwait(false);
        }
        catch
        {
            await app.DisposeAsync().ConfigureAwait(false);
            mirrors.Dispose();
            await dynamicListeners.DisposeAsync().ConfigureAwait(false);
            transports.Dispose();
            await xds.DisposeAsync().ConfigureAwait(false);
            await logs.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        var bound = listens.ToDictionary(l => l.Key, l => l.Value.IPEndPoint!);
        endpoints.Set([bound[ListenerRole.Outbound], bound[ListenerRole.Inbound]]);
        host = new ProxyHost(options, node, app, xds, state, transports, telemetry, tcpTelemetry, mirrors, bound, dynamicListeners, secrets, rotator, tlsCounters);
        return host;
    }

    /// <summary>Completes once the bound LDS listeners satisfy <paramref name="condition"/> (they change with each configuration).</summary>
    internal Task<IReadOnlyDictionary<string, EndPoint>> WaitForBoundListenersAsync(Func<IReadOnlyDictionary<string, EndPoint>, bool> condition, CancellationToken cancel = default) =>
        _dynamicListeners.WaitAsync(condition, cancel);

    /// <summary>Completes when the first complete configuration is in force.</summary>
    public async Task WaitUntilReadyAsync(CancellationToken cancel = default)
    {
        await State.Ready.WaitAsync(cancel).ConfigureAwait(false);
        await Secrets.IdentityReady.WaitAsync(cancel).ConfigureAwait(false);
    }

    /// <summary>Stops accepting connections, finishes requests in flight (within the drain timeout), and closes.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposing, 1) != 0)
        {
            await _completion.Task.ConfigureAwait(false);
            return;
        }

        try
        {
            await _app.StopAsync().ConfigureAwait(false);
            await _dynamicListeners.StopAcceptingAsync().ConfigureAwait(false);
            await _stop.CancelAsync().ConfigureAwait(false);
            try
            {
                await _xdsLoop.ConfigureAwait(false);
                await _identityLoop.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }

            await _app.DisposeAsync().ConfigureAwait(false);
            await _dynamicListeners.DisposeAsync().ConfigureAwait(false);
            await _xds.DisposeAsync().ConfigureAwait(false);
            _mirrors.Dispose();
            _transports.Dispose();
            foreach (var cluster in State.Current?.Clusters.Values ?? [])
            {
                cluster.State.Dispose();
            }

            _stop.Dispose();
            await Telemetry.Logs.DisposeAsync().ConfigureAwait(false);
        }
        finally
        {
            _completion.TrySetResult();
        }
    }

    /// <summary>
    /// The control plane's address and, for the secure port, how to trust it: exactly one of <c>--xds-address</c> and
    /// <c>--secure-xds-address</c>, the latter with <c>--root-cert</c>. A <see cref="FormatException"/> says what is wrong.
    /// </summary>
    private static (string Address, ControlPlaneSecurity? XdsSecurity, string? CaAddress, ControlPlaneSecurity? CaSecurity) ControlPlane(ProxyOptions options)
    {
        var secure = options.SecureXdsAddress is { Length: > 0 } s ? s : null;
        var plain = options.XdsAddress is { Length: > 0 } p ? p : null;
        var ca = options.CaAddress is { Length: > 0 } c ? c : secure;
        if (secure is not null && plain is not null)
        {
            throw new FormatException("--xds-address and --secure-xds-address are alternatives: give one");
        }

        if (secure is null && plain is null)
        {
            throw new FormatException("the control plane's address is missing: give --xds-address HOST:PORT or --secure-xds-address HOST:PORT with --root-cert FILE");
        }

        ControlPlaneSecurity? security = null;
        if (ca is not null)
        {
            if (options.RootCertFile is not { Length: > 0 } root)
            {
                throw new FormatException($"{(secure is not null ? "--secure-xds-address" : "--ca-address")} needs --root-cert FILE (the control plane's root certificate, e.g. STATE_DIR/ca/root-cert.pem)");
            }

            security = ControlPlaneSecurity.Load(root, options.TokenFile);
        }
        else if (options.TokenFile is not null)
        {
            throw new FormatException("--token-file is only sent over TLS: use it with --secure-xds-address or --ca-address");
        }

        var address = secure is not null ? ListenAddress.ParseRemote(secure, "--secure-xds-address") : ListenAddress.ParseRemote(plain!, "--xds-address");
        var caAddress = ca is null ? null : ListenAddress.ParseRemote(ca, options.CaAddress is { Length: > 0 } ? "--ca-address" : "--secure-xds-address");
        return (address, secure is not null ? security : null, caAddress, security);
    }

    private static Task NotFound(HttpContext context)
    {
        context.Response.StatusCode = StatusCodes.Status404NotFound;
        return Task.CompletedTask;
    }
}
