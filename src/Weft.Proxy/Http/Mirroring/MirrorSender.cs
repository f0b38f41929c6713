using System.Net;
using Microsoft.Extensions.Logging;
using Weft.Proxy.Snapshot.Clusters;

namespace Weft.Proxy.Http.Mirroring;

/// <summary>
/// Sends mirrored requests off the request path: the client's request never waits for a mirror and never sees its
/// outcome. A mirror goes to an endpoint of its cluster picked by the cluster's balancer, with the route's timeout, and
/// its response is thrown away. A request body streams to the mirror as the client sends it; a body that outgrows the
/// buffer limit, or that the client never finishes, fails the mirror. At most <see cref="MaxInFlight"/> mirrors are in flight (Envoy's default
/// <c>max_requests</c> circuit breaker of a cluster); past that a mirror is dropped.
/// </summary>
internal sealed partial class MirrorSender(UpstreamTransports transports, TimeProvider time, Func<ulong> random, ILogger<MirrorSender> log) : IDisposable
{
    public const int MaxInFlight = 1024;

    private static readonly HashSet<string> NotCopied = new(StringComparer.OrdinalIgnoreCase)
    {
        "host", "connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "upgrade", "content-length",
    };

    private readonly CancellationTokenSource _stopping = new();
    private int _inFlight;

    /// <summary>Mirrors in flight now.</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>Starts a mirror and returns at once.</summary>
    public void Send(MirrorRequest request)
    {
        if (Interlocked.Increment(ref _inFlight) > MaxInFlight)
        {
            Interlocked.Decrement(ref _inFlight);
            request.Body?.Dispose();
            LogDropped(log, request.Cluster.Model.Name, MaxInFlight);
            return;
        }

        _ = Task.Run(() => SendAsync(request));
    }

    public void Dispose()
    {
        _stopping.Cancel();
        _stopping.Dispose();
    }

    private async Task SendAsync(MirrorRequest request)
    {
        var cluster = request.Cluster.Model.Name;
        try
        {
            if (request.Cluster.Model.Kind == DiscoveryKind.OriginalDst || request.Cluster.Balancer.Pick(random())?.Host is not { } host)
            {
                LogNoHost(log, cluster);
                return;
            }

            using var lease = transports.Acquire(request.Cluster.Model);
            using var message = Build(request, host);
            using var timeout = request.Timeout > TimeSpan.Zero ? new CancellationTokenSource(request.Timeout, time) : null;
            using var cancel = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token, timeout?.Token ?? CancellationToken.None);
            using var response = await lease.Invoker.SendAsync(message, cancel.Token).ConfigureAwait(false);
            LogSent(log, cluster, host.Authority, (int)response.StatusCode);
        }
        catch (Exception e)
        {
            LogFailed(log, cluster, e.Message);
        }
        finally
        {
            request.Body?.Dispose();
            Interlocked.Decrement(ref _inFlight);
        }
    }

    private static HttpRequestMessage Build(MirrorRequest request, UpstreamHost host)
    {
        var message = new HttpRequestMessage(new HttpMethod(request.Method), new Uri("http://" + host.Authority + request.PathAndQuery, new UriCreationOptions { DangerousDisablePathAndQueryCanonicalization = true }))
        {
            Version = request.Version,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        message.Headers.Host = request.Host;
        if (request.Body is not null)
        {
            // The body streams to the mirror as the client sends it (chunked over HTTP/1.1 unless the client gave a length).
            message.Content = new MirrorBodyContent(request.Body, request.ContentLength);
        }

        foreach (var (name, values) in request.Headers)
        {
            if (NotCopied.Contains(name) || name.StartsWith(':'))
            {
                continue;
            }

            if (!message.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values) && message.Content is not null)
            {
                message.Content.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values);
            }
        }

        return message;
    }

    [LoggerMessage(EventId = 320, Level = LogLevel.Debug, Message = "mirror to {Cluster} dropped: {Max} mirrors are already in flight")]
    private static partial void LogDropped(ILogger log, string cluster, int max);

    [LoggerMessage(EventId = 322, Level = LogLevel.Debug, Message = "mirror to {Cluster} not sent: no endpoint to send it to")]
    private static partial void LogNoHost(ILogger log, string cluster);

    [LoggerMessage(EventId = 323, Level = LogLevel.Debug, Message = "mirror to {Cluster} ({Host}) answered {Status}")]
    private static partial void LogSent(ILogger log, string cluster, string host, int status);

    [LoggerMessage(EventId = 324, Level = LogLevel.Debug, Message = "mirror to {Cluster} failed: {Reason}")]
    private static partial void LogFailed(ILogger log, string cluster, string reason);
}
