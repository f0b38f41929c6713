using System.Net;
using System.Net.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Weft.Control.Ca;
using Weft.Control.Config;
using Weft.Control.Generators;
using Weft.Control.Metrics;
using Weft.Control.Xds;

namespace Weft.Control.Hosting;

/// <summary>
/// A running control plane: the configuration controller, the xDS server on a plaintext gRPC port, the HTTP debug
/// server and, with a state directory, the CA and a TLS port serving xDS and the CA. <see cref="StartAsync"/> returns once
/// the configuration is loaded and every port accepts connections. The plaintext port never serves the CA.
/// </summary>
public sealed class ControlPlane : IAsyncDisposable
{
    private readonly WebApplication _xdsApp;
    private readonly WebApplication _httpApp;
    private readonly WebApplication? _secureApp;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    private ControlPlane(ControlPlaneOptions options, ConfigController controller, XdsServer xds, ConfigStore store, ControlMetrics metrics, WebApplication xdsApp, WebApplication httpApp, CertificateAuthority? ca, WebApplication? secureApp)
    {
        Options = options;
        Controller = controller;
        Xds = xds;
        Store = store;
        Metrics = metrics;
        Ca = ca;
        _xdsApp = xdsApp;
        _httpApp = httpApp;
        _secureApp = secureApp;
        _loop = controller.RunAsync(_stop.Token);
    }

    public ControlPlaneOptions Options { get; }

    public ConfigController Controller { get; }

    public XdsServer Xds { get; }

    public ConfigStore Store { get; }

    public ControlMetrics Metrics { get; }

    /// <summary>The CA, when the control plane has a state directory.</summary>
    public CertificateAuthority? Ca { get; }

    /// <summary>The address the xDS server listens on (with the port the OS chose, when asked for port 0).</summary>
    public IPEndPoint XdsEndpoint => Bound(_xdsApp);

    public IPEndPoint HttpEndpoint => Bound(_httpApp);

    /// <summary>The TLS port serving xDS and the CA, when there is a CA.</summary>
    public IPEndPoint? SecureXdsEndpoint => _secureApp is null ? null : Bound(_secureApp);

    /// <summary>Starts a control plane; a CA that cannot be loaded throws <see cref="CaException"/> before any port is bound.</summary>
    public static async Task<ControlPlane> StartAsync(ControlPlaneOptions options, ILoggerFactory loggerFactory, CancellationToken cancel = default)
    {
        var xdsEndpoint = Endpoints.Parse(options.XdsAddress, "--xds-address");
        var httpEndpoint = Endpoints.Parse(options.HttpAddress, "--http-address");
        var secureEndpoint = options.StateDirectory is null ? null : Endpoints.Parse(options.SecureXdsAddress, "--secure-xds-address");
        var paths = options.StateDirectory is null ? null : new CaPaths(options.StateDirectory, options.CaCertsDirectory);
        var ca = paths is null ? null : CaStore.Open(paths, options.Mesh.TrustDomain, options.Time);
        var metrics = new ControlMetrics();
        var store = new ConfigStore();
        var xds = new XdsServer(GeneratorSet.Default, metrics, options.Time, loggerFactory.CreateLogger<XdsServer>(), options.PushConcurrency);
        var controller = new ConfigController(options.ConfigDirectory, store, xds, options.Mesh, metrics, options.Time, loggerFactory.CreateLogger<ConfigController>(), options.Debounce, options.DebounceMax);
        controller.Start();

        var xdsApp = Build(loggerFactory, xdsEndpoint, l => l.Protocols = HttpProtocols.Http2, services => AddXds(services, xds));
        xdsApp.MapGrpcService<AdsService>();

        var httpApp = Build(loggerFactory, httpEndpoint, l => l.Protocols = HttpProtocols.Http1, _ => { });
        DebugApi.Map(httpApp, store, xds, metrics, controller);

        WebApplication? secureApp = null;
        if (ca is not null)
        {
            metrics.RootCertExpiry.Set(ca.Root.NotAfter.ToUniversalTime().Subtract(DateTime.UnixEpoch).TotalSeconds);
            if (ca.Intermediates.Count > 0)
            {
                metrics.CertChainExpiry.Set(ca.Intermediates[0].NotAfter.ToUniversalTime().Subtract(DateTime.UnixEpoch).TotalSeconds);
            }

            var tokens = options.RequireTokens ? new WorkloadTokens(paths!.TokensDirectory) : null;
            if (tokens is not null)
            {
                PemFiles.CreatePrivateDirectory(tokens.Directory);
            }

            xds.Authenticator = new XdsAuthenticator(tokens);

            var caServer = new CaServer(new WorkloadCertificates(ca, options.WorkloadCertTtl, options.Time), () => xds.Current.Registry, options.Mesh.TrustDomain, tokens, metrics, loggerFactory.CreateLogger<CaServer>());
            var serving = new ServingCertificate(ca, secureEndpoint!.Address, options.Time);
            var clientChains = ca!.ClientChainPolicy();
            secureApp = Build(loggerFactory, secureEndpoint, l =>
            {
                l.Protocols = HttpProtocols.Http2;
                l.UseHttps(new TlsHandshakeCallbackOptions
                {
                    OnConnection = _ => ValueTask.FromResult(new SslServerAuthenticationOptions
                    {
                        ServerCertificateContext = serving.Context,
                        ApplicationProtocols = [SslApplicationProtocol.Http2],

                        // Asked for, not required: a proxy proves who it is with its workload certificate once it has
                        // one (as istio-agent does), before that with its token or its claim. One that does not chain
                        // to this CA ends the handshake.
                        ClientCertificateRequired = true,
                        CertificateChainPolicy = clientChains,
                        RemoteCertificateValidationCallback = (_, certificate, _, errors) => certificate is null || errors == SslPolicyErrors.None,
                    }),
                });
            }, services =>
            {
                AddXds(services, xds);
                services.AddSingleton(caServer);
            });
            secureApp.MapGrpcService<AdsService>();
            secureApp.MapGrpcService<CaService>();
        }

        await xdsApp.StartAsync(cancel).ConfigureAwait(false);
        await httpApp.StartAsync(cancel).ConfigureAwait(false);
        if (secureApp is not null)
        {
            await secureApp.StartAsync(cancel).ConfigureAwait(false);
        }

        return new ControlPlane(options, controller, xds, store, metrics, xdsApp, httpApp, ca, secureApp);
    }

    private static void AddXds(IServiceCollection services, XdsServer xds)
    {
        services.AddGrpc(o =>
        {
            o.MaxReceiveMessageSize = 64 * 1024 * 1024;
            o.MaxSendMessageSize = null;
        });
        services.AddSingleton(xds);
    }

    private static WebApplication Build(ILoggerFactory loggerFactory, IPEndPoint endpoint, Action<ListenOptions> listen, Action<IServiceCollection> configure)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(loggerFactory);
        builder.Services.Configure<Microsoft.Extensions.Hosting.HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(2));
        builder.WebHost.ConfigureKestrel(k => k.Listen(endpoint, listen));
        configure(builder.Services);
        return builder.Build();
    }

    private static IPEndPoint Bound(WebApplication app)
    {
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var uri = new Uri(address);
        return new IPEndPoint(IPAddress.Parse(uri.Host.Trim('[', ']')), uri.Port);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _loop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        Controller.Dispose();
        Xds.Stop();
        if (_secureApp is not null)
        {
            await _secureApp.StopAsync().ConfigureAwait(false);
            await _secureApp.DisposeAsync().ConfigureAwait(false);
        }

        await _httpApp.StopAsync().ConfigureAwait(false);
        await _xdsApp.StopAsync().ConfigureAwait(false);
        await _httpApp.DisposeAsync().ConfigureAwait(false);
        await _xdsApp.DisposeAsync().ConfigureAwait(false);
        _stop.Dispose();
        Xds.Dispose();
        Ca?.Dispose();
    }
}
