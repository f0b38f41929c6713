using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Weft.Control.Config;
using Weft.Control.Generators;
using Weft.Control.Metrics;
using Weft.Control.Xds;

namespace Weft.Control.Hosting;

/// <summary>
/// A running control plane: the configuration controller, the xDS server on a plaintext gRPC port and the HTTP debug
/// server. <see cref="StartAsync"/> returns once the configuration is loaded and both ports accept connections.
/// </summary>
public sealed class ControlPlane : IAsyncDisposable
{
    private readonly WebApplication _xdsApp;
    private readonly WebApplication _httpApp;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    private ControlPlane(ControlPlaneOptions options, ConfigController controller, XdsServer xds, ConfigStore store, ControlMetrics metrics, WebApplication xdsApp, WebApplication httpApp)
    {
        Options = options;
        Controller = controller;
        Xds = xds;
        Store = store;
        Metrics = metrics;
        _xdsApp = xdsApp;
        _httpApp = httpApp;
        _loop = controller.RunAsync(_stop.Token);
    }

    public ControlPlaneOptions Options { get; }

    public ConfigController Controller { get; }

    public XdsServer Xds { get; }

    public ConfigStore Store { get; }

    public ControlMetrics Metrics { get; }

    /// <summary>The address the xDS server listens on (with the port the OS chose, when asked for port 0).</summary>
    public IPEndPoint XdsEndpoint => Bound(_xdsApp);

    public IPEndPoint HttpEndpoint => Bound(_httpApp);

    public static async Task<ControlPlane> StartAsync(ControlPlaneOptions options, ILoggerFactory loggerFactory, CancellationToken cancel = default)
    {
        var xdsEndpoint = Endpoints.Parse(options.XdsAddress, "--xds-address");
        var httpEndpoint = Endpoints.Parse(options.HttpAddress, "--http-address");
        var metrics = new ControlMetrics();
        var store = new ConfigStore();
        var xds = new XdsServer(GeneratorSet.Default, metrics, options.Time, loggerFactory.CreateLogger<XdsServer>(), options.PushConcurrency);
        var controller = new ConfigController(options.ConfigDirectory, store, xds, options.Mesh, metrics, options.Time, loggerFactory.CreateLogger<ConfigController>(), options.Debounce, options.DebounceMax);
        controller.Start();

        var xdsApp = Build(loggerFactory, xdsEndpoint, HttpProtocols.Http2, services =>
        {
            services.AddGrpc(o =>
            {
                o.MaxReceiveMessageSize = 64 * 1024 * 1024;
                o.MaxSendMessageSize = null;
            });
            services.AddSingleton(xds);
        });
        xdsApp.MapGrpcService<AdsService>();

        var httpApp = Build(loggerFactory, httpEndpoint, HttpProtocols.Http1, _ => { });
        DebugApi.Map(httpApp, store, xds, metrics, controller);

        await xdsApp.StartAsync(cancel).ConfigureAwait(false);
        await httpApp.StartAsync(cancel).ConfigureAwait(false);
        return new ControlPlane(options, controller, xds, store, metrics, xdsApp, httpApp);
    }

    private static WebApplication Build(ILoggerFactory loggerFactory, IPEndPoint endpoint, HttpProtocols protocols, Action<IServiceCollection> configure)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(loggerFactory);
        builder.Services.Configure<Microsoft.Extensions.Hosting.HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(2));
        builder.WebHost.ConfigureKestrel(k => k.Listen(endpoint, l => l.Protocols = protocols));
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
        await _httpApp.StopAsync().ConfigureAwait(false);
        await _xdsApp.StopAsync().ConfigureAwait(false);
        await _httpApp.DisposeAsync().ConfigureAwait(false);
        await _xdsApp.DisposeAsync().ConfigureAwait(false);
        _stop.Dispose();
        Xds.Dispose();
    }
}
