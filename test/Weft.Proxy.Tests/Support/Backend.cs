using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Weft.Proxy.Tests.Support;

/// <summary>
/// A small upstream service on a real loopback port: it answers every request with its name (body and
/// <c>x-backend</c> header) and records what it received, so tests can see what the proxy sent.
/// </summary>
internal sealed class Backend : IAsyncDisposable
{
    private readonly WebApplication _app;

    private Backend(string name, WebApplication app, int port)
    {
        Name = name;
        _app = app;
        Port = port;
    }

    public string Name { get; }

    public int Port { get; }

    /// <summary>What arrived, in order.</summary>
    public ConcurrentQueue<Received> Requests { get; } = new();

    /// <param name="unixSocket">A unix socket path to listen on instead of a loopback port (then <see cref="Port"/> is 0).</param>
    public static async Task<Backend> StartAsync(string name, HttpProtocols protocols = HttpProtocols.Http1, Func<HttpContext, Task>? respond = null, int port = 0, string? unixSocket = null)
    {
        Backend? backend = null;
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.Configure<Microsoft.Extensions.Hosting.HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(1));
        builder.WebHost.ConfigureKestrel(k =>
        {
            // As roomy as the proxy in front (Envoy's 60 KiB), so a limit a test meets is the proxy's.
            k.Limits.MaxRequestHeadersTotalSize = 64 * 1024;
            if (unixSocket is null)
            {
                k.Listen(IPAddress.Loopback, port, l => l.Protocols = protocols);
            }
            else
            {
                k.ListenUnixSocket(unixSocket, l => l.Protocols = protocols);
            }
        });
        var app = builder.Build();
        app.Run(async context =>
        {
            var request = context.Request;
            backend!.Requests.Enqueue(new Received(
                request.Method,
                context.Features.Get<IHttpRequestFeature>()!.RawTarget,
                request.Host.Value ?? string.Empty,
                request.Protocol,
                context.Connection.RemoteIpAddress?.ToString() ?? string.Empty,
                request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase)));
            context.Response.Headers["x-backend"] = backend.Name;
            if (respond is not null)
            {
                await respond(context);
                return;
            }

            await context.Response.WriteAsync(backend.Name);
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        backend = new Backend(name, app, unixSocket is null ? new Uri(address).Port : 0);
        return backend;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    public sealed record Received(string Method, string Target, string Host, string Protocol, string RemoteAddress, IReadOnlyDictionary<string, string> Headers);
}
