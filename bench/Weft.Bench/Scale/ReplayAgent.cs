using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Weft.Control.Config;
using Weft.Control.Model;
using Weft.Control.Push;
using Weft.Control.Registry;
using Weft.Control.Xds;

namespace Weft.Bench.Scale;

/// <summary>
/// The transport floor's side of the scale benchmark: loads a directory as the control plane does, serves it with a
/// <see cref="ReplayServer"/> on a Kestrel h2c port set up as the control plane's xDS port is, and answers the same line
/// commands as <see cref="ControlPlaneAgent"/> (<c>stats</c>, <c>gc</c>, <c>connections</c>, <c>quit</c>), so the benchmark
/// measures both the same way. One more: <c>push</c> sends the same routes as a new version to every stream that holds
/// routes and replies <c>pushed VERSION TIMESTAMP</c>, as the control plane reports a push. Nothing watches the directory.
/// </summary>
internal static class ReplayAgent
{
    public static async Task RunAsync(string directory, ChannelReader<string> commands, Action<string> reply, ILoggerFactory loggers, CancellationToken cancel)
    {
        var store = new ConfigStore();
        var kinds = store.Apply(new DirectorySource(directory).Scan()).Select(k => k.Kind).ToHashSet(StringComparer.Ordinal);
        var snapshot = store.Current;
        var push = new PushContext(snapshot, LocalRegistry.Build(snapshot), MeshConfig.Default, ReplayServer.FirstVersion,
            ReplayServer.VersionInfo(ReplayServer.FirstVersion), previous: null, kinds);
        using var server = new ReplayServer(push, XdsServer.DefaultPushConcurrency);
        var app = Host(server, loggers);
        await app.StartAsync(cancel).ConfigureAwait(false);
        try
        {
            reply(string.Create(CultureInfo.InvariantCulture, $"ready {Bound(app)} resources={snapshot.Resources.Count} rejected={snapshot.Rejections.Count}"));
            await AgentCommands.ServeAsync(commands, reply, () => server.Connections, command =>
            {
                if (command != "push")
                {
                    return false;
                }

                var version = server.Push();
                reply(string.Create(CultureInfo.InvariantCulture, $"pushed {version} {Stopwatch.GetTimestamp()}"));
                return true;
            }, cancel).ConfigureAwait(false);
        }
        finally
        {
            server.Stop();
            await app.StopAsync(CancellationToken.None).ConfigureAwait(false);
            await app.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>The control plane's xDS host (slim builder, h2c only, the same gRPC limits), on a loopback port the OS picks.</summary>
    private static WebApplication Host(ReplayServer server, ILoggerFactory loggers)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(loggers);
        builder.Services.Configure<Microsoft.Extensions.Hosting.HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(2));
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc(o =>
        {
            o.MaxReceiveMessageSize = 64 * 1024 * 1024;
            o.MaxSendMessageSize = null;
        });
        builder.Services.AddSingleton(server);
        var app = builder.Build();
        app.MapGrpcService<ReplayServer>();
        return app;
    }

    private static IPEndPoint Bound(WebApplication app)
    {
        var uri = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        return new IPEndPoint(IPAddress.Parse(uri.Host.Trim('[', ']')), uri.Port);
    }
}
