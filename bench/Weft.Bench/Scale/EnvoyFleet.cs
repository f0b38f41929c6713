using System.Collections.Concurrent;
using System.Diagnostics;
using Google.Protobuf.WellKnownTypes;
using Grpc.Net.Client;
using Weft.Xds.Envoy.Config.Core.V3;
using Weft.Xds.Envoy.Service.Discovery.V3;

namespace Weft.Bench.Scale;

/// <summary>
/// Many simulated sidecars connected to one control plane. Client <c>c</c> is replica <c>c / services</c> of service
/// <c>c % services</c> (its WorkloadEntry names it), so sidecars spread over the namespaces as their services do. Streams
/// share a few HTTP/2 channels, <see cref="StreamsPerChannel"/> each (an HTTP/2 connection's stream limit is 100 in
/// Kestrel), with extra connections allowed when a channel's are full.
/// </summary>
internal sealed class EnvoyFleet : IAsyncDisposable
{
    public const int StreamsPerChannel = 100;

    private readonly List<GrpcChannel> _channels;

    private EnvoyFleet(List<GrpcChannel> channels, IReadOnlyList<SimulatedEnvoy> clients)
    {
        _channels = channels;
        Clients = clients;
    }

    public IReadOnlyList<SimulatedEnvoy> Clients { get; }

    /// <summary>When the first stream was opened.</summary>
    public long StartedAt { get; private set; }

    /// <summary>Opens every client's stream at once (the reconnect storm after a control plane restart).</summary>
    public static EnvoyFleet Start(string xdsAddress, ScaleConfig config, int clients, Func<int, bool> verifyRoutes, CancellationToken cancel)
    {
        var names = new ConcurrentDictionary<string, string>(StringComparer.Ordinal);
        string Intern(string name) => names.GetOrAdd(name, name);

        var channels = new List<GrpcChannel>();
        var envoys = new List<SimulatedEnvoy>(clients);
        for (var c = 0; c < clients; c++)
        {
            if (c % StreamsPerChannel == 0)
            {
                channels.Add(Channel(xdsAddress));
            }

            var client = new AggregatedDiscoveryService.AggregatedDiscoveryServiceClient(channels[^1]);
            envoys.Add(new SimulatedEnvoy(c, Sidecar(config, c), client, verifyRoutes(c), Intern));
        }

        var fleet = new EnvoyFleet(channels, envoys) { StartedAt = Stopwatch.GetTimestamp() };
        foreach (var envoy in envoys)
        {
            envoy.Start(cancel);
        }

        return fleet;
    }

    /// <summary>The service and replica a client is the sidecar of.</summary>
    public static (int Service, int Replica) Workload(ScaleConfig config, int client) =>
        (client % config.Services, client / config.Services % ScaleConfig.EndpointsPerService);

    /// <summary>Istio's sidecar node: <c>sidecar~IP~NAME.NS~NS.svc.cluster.local</c> with metadata NAMESPACE.</summary>
    public static Node Sidecar(ScaleConfig config, int client)
    {
        var (service, replica) = Workload(config, client);
        var ns = config.Namespace(service);
        var node = new Node
        {
            Id = $"sidecar~{ScaleConfig.Address(service, replica)}~{ScaleConfig.WorkloadName(service, replica)}.{ns}~{ns}.svc.cluster.local",
            Metadata = new Struct(),
        };
        node.Metadata.Fields["NAMESPACE"] = Value.ForString(ns);
        return node;
    }

    /// <summary>Waits until every client has acknowledged all four types; returns each client's convergence time.</summary>
    public async Task<long[]> WaitConvergedAsync(TimeSpan timeout, CancellationToken cancel)
    {
        var all = Task.WhenAll(Clients.Select(c => c.Converged));
        try
        {
            return await all.WaitAsync(timeout, cancel).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            var pending = Clients.Where(c => !c.Converged.IsCompleted).ToList();
            throw new TimeoutException($"{Clients.Count - pending.Count} of {Clients.Count} clients converged within {timeout.TotalSeconds:F0} s; "
                + $"client {pending[0].Index} has {pending[0].Progress}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Task.WhenAll(Clients.Select(c => c.StopAsync())).ConfigureAwait(false);
        foreach (var channel in _channels)
        {
            channel.Dispose();
        }
    }

    private static GrpcChannel Channel(string address) => GrpcChannel.ForAddress("http://" + address, new GrpcChannelOptions
    {
        HttpHandler = new SocketsHttpHandler
        {
            EnableMultipleHttp2Connections = true,
            // Envoy's xDS client opens its HTTP/2 windows wide (256 MiB by default), so a large response is never held up
            // by flow control; this is the widest a .NET client allows by default.
            InitialHttp2StreamWindowSize = 16 * 1024 * 1024,
            PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
            ConnectTimeout = TimeSpan.FromSeconds(30),
        },
        DisposeHttpClient = true,
        MaxReceiveMessageSize = null,
        MaxSendMessageSize = null,
    });
}
