using System.Net;
using System.Threading.Channels;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Weft.Xds.Envoy.Service.Discovery.V3;

namespace Weft.Proxy.Tests.Support;

/// <summary>
/// A scripted ADS server on a real loopback port: each stream a client opens shows up in <see cref="NextStreamAsync"/>,
/// with the requests the client sent and a way to answer. It can stop and start again on the same port.
/// </summary>
internal sealed class FakeAdsServer : IAsyncDisposable
{
    public static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    private readonly Channel<AdsStream> _streams = Channel.CreateUnbounded<AdsStream>();
    private readonly Channel<DeltaAdsStream> _deltaStreams = Channel.CreateUnbounded<DeltaAdsStream>();
    private WebApplication? _app;

    private FakeAdsServer()
    {
    }

    public int Port { get; private set; }

    public string Address => $"127.0.0.1:{Port}";

    public static async Task<FakeAdsServer> StartAsync(int port = 0)
    {
        var server = new FakeAdsServer();
        await server.StartOnAsync(port);
        return server;
    }

    /// <summary>Starts again on the port it had (after <see cref="StopAsync"/>).</summary>
    public Task RestartAsync() => StartOnAsync(Port);

    private async Task StartOnAsync(int port)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.Configure<Microsoft.Extensions.Hosting.HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(1));
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port, l => l.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc();
        builder.Services.AddSingleton(this);
        var app = builder.Build();
        app.MapGrpcService<Service>();
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        Port = new Uri(address).Port;
        _app = app;
    }

    /// <summary>The next stream a client opened (bounded wait).</summary>
    public async Task<AdsStream> NextStreamAsync() => await _streams.Reader.ReadAsync().AsTask().WaitAsync(Wait);

    /// <summary>The next delta stream a client opened (bounded wait).</summary>
    public async Task<DeltaAdsStream> NextDeltaStreamAsync() => await _deltaStreams.Reader.ReadAsync().AsTask().WaitAsync(Wait);

    /// <summary>Stops listening and ends every open stream.</summary>
    public async Task StopAsync()
    {
        if (_app is { } app)
        {
            _app = null;
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    public async ValueTask DisposeAsync() => await StopAsync();

    private sealed class Service(FakeAdsServer server) : AggregatedDiscoveryService.AggregatedDiscoveryServiceBase
    {
        public override async Task StreamAggregatedResources(IAsyncStreamReader<DiscoveryRequest> requestStream, IServerStreamWriter<DiscoveryResponse> responseStream, ServerCallContext context)
        {
            var stream = new AdsStream(responseStream, context.CancellationToken);
            await server._streams.Writer.WriteAsync(stream);
            try
            {
                while (await requestStream.MoveNext(context.CancellationToken))
                {
                    await stream.Requests.Writer.WriteAsync(requestStream.Current);
                }
            }
            catch (OperationCanceledException)
            {
            }
            catch (IOException)
            {
            }

            stream.Requests.Writer.TryComplete();
            await stream.Ended.Task.WaitAsync(context.CancellationToken).ContinueWith(_ => { }, TaskScheduler.Default);
        }

        public override async Task DeltaAggregatedResources(IAsyncStreamReader<DeltaDiscoveryRequest> requestStream, IServerStreamWriter<DeltaDiscoveryResponse> responseStream, ServerCallContext context)
        {
            var stream = new DeltaAdsStream(responseStream, context.CancellationToken);
            await server._deltaStreams.Writer.WriteAsync(stream);
            try
            {
                while (await requestStream.MoveNext(context.CancellationToken))
                {
                    await stream.Requests.Writer.WriteAsync(requestStream.Current);
                }
            }
            catch (OperationCanceledException)
            {
            }
            catch (IOException)
            {
            }

            stream.Requests.Writer.TryComplete();
            await stream.Ended.Task.WaitAsync(context.CancellationToken).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }
}

/// <summary>One client stream: what it asked, and how to answer it or end it.</summary>
internal sealed class AdsStream(IServerStreamWriter<DiscoveryResponse> responses, CancellationToken cancel)
{
    private long _nonce;

    public Channel<DiscoveryRequest> Requests { get; } = Channel.CreateUnbounded<DiscoveryRequest>();

    /// <summary>Completing it ends the stream from the server's side.</summary>
    public TaskCompletionSource Ended { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The next request the client sent on this stream (bounded wait).</summary>
    public async Task<DiscoveryRequest> NextRequestAsync() =>
        await Requests.Reader.ReadAsync().AsTask().WaitAsync(FakeAdsServer.Wait);

    /// <summary>Answers with the given resources, a fresh nonce, and returns the response sent.</summary>
    public async Task<DiscoveryResponse> RespondAsync(string typeUrl, string version, params Google.Protobuf.IMessage[] resources)
    {
        var response = new DiscoveryResponse
        {
            TypeUrl = typeUrl,
            VersionInfo = version,
            Nonce = "n" + Interlocked.Increment(ref _nonce),
        };
        foreach (var resource in resources)
        {
            response.Resources.Add(Google.Protobuf.WellKnownTypes.Any.Pack(resource));
        }

        await responses.WriteAsync(response, cancel);
        return response;
    }

    public Task SendAsync(DiscoveryResponse response) => responses.WriteAsync(response, cancel);
}

/// <summary>One client delta stream: what it asked, and how to answer it.</summary>
internal sealed class DeltaAdsStream(IServerStreamWriter<DeltaDiscoveryResponse> responses, CancellationToken cancel)
{
    private long _nonce;

    public Channel<DeltaDiscoveryRequest> Requests { get; } = Channel.CreateUnbounded<DeltaDiscoveryRequest>();

    /// <summary>Completing it ends the stream from the server's side.</summary>
    public TaskCompletionSource Ended { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public async Task<DeltaDiscoveryRequest> NextRequestAsync() =>
        await Requests.Reader.ReadAsync().AsTask().WaitAsync(FakeAdsServer.Wait);

    /// <summary>Sends the given resources (each at <paramref name="version"/>) and removals with a fresh nonce; returns the response.</summary>
    public async Task<DeltaDiscoveryResponse> RespondAsync(string typeUrl, string version, IEnumerable<string> removed, params Google.Protobuf.IMessage[] resources)
    {
        var response = new DeltaDiscoveryResponse
        {
            TypeUrl = typeUrl,
            SystemVersionInfo = version,
            Nonce = "d" + Interlocked.Increment(ref _nonce),
        };
        foreach (var resource in resources)
        {
            response.Resources.Add(new Resource
            {
                Name = resource switch
                {
                    Weft.Xds.Envoy.Config.Cluster.V3.Cluster c => c.Name,
                    Weft.Xds.Envoy.Config.Endpoint.V3.ClusterLoadAssignment a => a.ClusterName,
                    Weft.Xds.Envoy.Config.Listener.V3.Listener l => l.Name,
                    Weft.Xds.Envoy.Config.Route.V3.RouteConfiguration r => r.Name,
                    _ => throw new ArgumentException("not an xDS resource", nameof(resources)),
                },
                Version = version,
                Resource_ = Google.Protobuf.WellKnownTypes.Any.Pack(resource),
            });
        }

        response.RemovedResources.AddRange(removed);
        await responses.WriteAsync(response, cancel);
        return response;
    }
}
