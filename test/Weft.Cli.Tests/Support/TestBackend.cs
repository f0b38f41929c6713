using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Weft.Cli.Tests.Support;

/// <summary>A real HTTP server on a loopback port that answers every request with a fixed status and body and records the Host headers it saw.</summary>
internal sealed class TestBackend : IAsyncDisposable
{
    private readonly WebApplication _app;

    private TestBackend(WebApplication app) => _app = app;

    public ConcurrentQueue<string> Hosts { get; } = new();

    public IPEndPoint Endpoint
    {
        get
        {
            var uri = new Uri(_app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
            return new IPEndPoint(IPAddress.Parse(uri.Host), uri.Port);
        }
    }

    public static async Task<TestBackend> StartAsync(int status, string body)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var backend = new TestBackend(app);
        app.Run(context =>
        {
            backend.Hosts.Enqueue(context.Request.Host.Value ?? string.Empty);
            context.Response.StatusCode = status;
            return context.Response.WriteAsync(body);
        });
        await app.StartAsync();
        return backend;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
