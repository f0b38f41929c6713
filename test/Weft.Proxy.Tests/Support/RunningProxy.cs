using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Weft.Proxy.Hosting;

namespace Weft.Proxy.Tests.Support;

/// <summary>A proxy in-process on OS-chosen loopback ports, with a client that sends through its outbound listener.</summary>
internal sealed class RunningProxy : IAsyncDisposable
{
    public const string ClientNode = "sidecar~127.0.0.1~client.default~default.svc.cluster.local";

    private RunningProxy(ProxyHost host)
    {
        Host = host;
        Client = new HttpClient(new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false, UseCookies = false })
        {
            BaseAddress = new Uri($"http://{host.OutboundEndpoint}"),
            Timeout = TimeSpan.FromSeconds(30),
        };
    }

    public ProxyHost Host { get; }

    /// <summary>Sends to the outbound listener.</summary>
    public HttpClient Client { get; }

    public Uri Admin => new($"http://{Host.AdminEndpoint}");

    public Uri Health => new($"http://{Host.HealthEndpoint}");

    public static async Task<RunningProxy> StartAsync(string xdsAddress, Func<ProxyOptions, ProxyOptions>? configure = null, ILoggerFactory? loggers = null, bool waitReady = true, string nodeId = ClientNode)
    {
        var options = new ProxyOptions
        {
            NodeId = nodeId,
            XdsAddress = xdsAddress,

            // The scripted servers speak state of the world; delta is asked for where a test is about it.
            XdsProtocol = XdsProtocol.StateOfTheWorld,
            OutboundAddress = "127.0.0.1:0",
            InboundAddress = "127.0.0.1:0",
            AdminAddress = "127.0.0.1:0",
            HealthAddress = "127.0.0.1:0",
            StatsAddress = "127.0.0.1:0",
            DrainTimeout = TimeSpan.FromSeconds(2),
            ReconnectInitial = TimeSpan.FromMilliseconds(100),
            ReconnectMaximum = TimeSpan.FromMilliseconds(500),
        };
        var host = await ProxyHost.StartAsync(configure?.Invoke(options) ?? options, loggers ?? NullLoggerFactory.Instance);
        var proxy = new RunningProxy(host);
        if (waitReady)
        {
            await host.WaitUntilReadyAsync().WaitAsync(TimeSpan.FromSeconds(15));
        }

        return proxy;
    }

    /// <summary>A GET through the outbound listener with the given Host (origin-form, as any load tool sends it).</summary>
    public Task<HttpResponseMessage> GetAsync(string host, string path = "/", params (string Name, string Value)[] headers)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Host = host;
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        return Client.SendAsync(request);
    }

    /// <summary>
    /// Waits (bounded) until <paramref name="count"/> requests are in the metrics: a request is recorded as its
    /// response completes, which can be just after the client has read it.
    /// </summary>
    public Task RecordedAsync(long count) => Host.Telemetry.Metrics.RequestsRecorded.WhenAtLeastAsync(count).WaitAsync(TimeSpan.FromSeconds(30));

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Host.DisposeAsync();
    }
}
