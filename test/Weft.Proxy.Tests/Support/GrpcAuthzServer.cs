using System.Collections.Concurrent;
using System.Net;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Weft.Xds.Envoy.Service.Auth.V3;

namespace Weft.Proxy.Tests.Support;

/// <summary>
/// Envoy's authorization service (<c>envoy.service.auth.v3.Authorization/Check</c>) on a real gRPC server on a loopback
/// port (plaintext HTTP/2), answering each check with what the test decides; it keeps every check and the
/// <c>:authority</c> it came with.
/// </summary>
internal sealed class GrpcAuthzServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private GrpcAuthzServer(WebApplication app, Service service, int port)
    {
        _app = app;
        Checks = service.Checks;
        Authorities = service.Authorities;
        Port = port;
    }

    public ConcurrentQueue<CheckRequest> Checks { get; }

    public ConcurrentQueue<string> Authorities { get; }

    public int Port { get; }

    /// <summary>Starts the server; <paramref name="decide"/> answers a check (or throws an <see cref="RpcException"/> to fail the call).</summary>
    public static async Task<GrpcAuthzServer> StartAsync(Func<CheckRequest, CheckResponse> decide)
    {
        var service = new Service(decide);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc();
        builder.Services.AddSingleton(service);
        var app = builder.Build();
        app.Use(async (context, next) =>
        {
            service.Authorities.Enqueue(context.Request.Host.Value ?? string.Empty);
            await next(context);
        });
        app.MapGrpcService<Service>();
        await app.StartAsync();
        var port = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()).Port;
        return new GrpcAuthzServer(app, service, port);
    }

    /// <summary>An OK answer.</summary>
    public static CheckResponse Allow() => new() { Status = new Google.Rpc.Status { Code = 0 } };

    /// <summary>A PERMISSION_DENIED answer.</summary>
    public static CheckResponse Deny() => new() { Status = new Google.Rpc.Status { Code = 7 } };

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private sealed class Service(Func<CheckRequest, CheckResponse> decide) : Weft.Xds.Envoy.Service.Auth.V3.Authorization.AuthorizationBase
    {
        public ConcurrentQueue<CheckRequest> Checks { get; } = new();

        public ConcurrentQueue<string> Authorities { get; } = new();

        public override Task<CheckResponse> Check(CheckRequest request, ServerCallContext context)
        {
            Checks.Enqueue(request);
            return Task.FromResult(decide(request));
        }
    }
}
