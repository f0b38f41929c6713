using System.Net;
using System.Text;
using Microsoft.Extensions.Logging;
using Weft.Proxy.Http;
using Weft.Proxy.Snapshot;
using Weft.Proxy.Snapshot.Clusters;
using Weft.Proxy.Snapshot.Matching;

namespace Weft.Proxy.Authorization;

/// <summary>
/// Calls HTTP authorization services for the ext_authz filter, as Envoy's raw HTTP client does: the request's method,
/// its <c>:path</c> behind the service's path prefix, its authority, its Authorization header and the headers the
/// filter allows, with no body (or the buffered one) and <c>content-length</c> to match; through an endpoint of the
/// service's cluster that the cluster's balancer picks, over the cluster's pooled connections. The answer is sorted
/// into OK, Denied or Error (<see cref="ExtAuthzResult"/>).
/// </summary>
internal sealed partial class ExtAuthzClient(UpstreamTransports transports, TimeProvider time, Func<ulong> random, ILogger<ExtAuthzClient> log)
{
    /// <summary>The answer header in which a service lists request headers to remove before the request goes upstream.</summary>
    public const string HeadersToRemoveHeader = "x-envoy-auth-headers-to-remove";

    /// <summary>How much of a denial's body is passed to the client.</summary>
    private const int MaxDeniedBody = 64 * 1024;

    /// <summary>Answer headers that describe the answer itself rather than being headers to pass on (Envoy drops these on OK).</summary>
    private static readonly HashSet<string> AnswerOnly = new(StringComparer.OrdinalIgnoreCase)
    {
        "date", "content-length", "content-type", "x-envoy-upstream-service-time", "transfer-encoding", "connection", "keep-alive",
    };

    /// <summary>Hop-by-hop headers never passed to a client from a denial (the proxy frames its own reply).</summary>
    private static readonly HashSet<string> HopByHop = new(StringComparer.OrdinalIgnoreCase)
    {
        "transfer-encoding", "connection", "keep-alive", "content-length",
    };

    /// <summary>Asks the service about a request; <paramref name="body"/> is what the filter sends of the body, if anything.</summary>
    public Task<ExtAuthzResult> CheckAsync(ExtAuthzService service, ProxySnapshot snapshot, ExtAuthzCheck check, byte[]? body, CancellationToken cancel)
    {
        var (cluster, host, failure) = Resolve(service, snapshot);
        if (failure is not null)
        {
            return Task.FromResult(Failed(service, failure));
        }

        return service switch
        {
            ExtAuthzHttpService http => CheckAsync(http, cluster!, host!, check.Request, body, cancel),
            ExtAuthzGrpcService grpc => CheckAsync(grpc, cluster!, host!, check, body, cancel),
            _ => Task.FromResult(ExtAuthzResult.Error("unknown kind of authorization service")),
        };
    }

    /// <summary>
    /// A <c>GET</c> of <paramref name="uri"/> through <paramref name="clusterName"/>: an endpoint its balancer picks, its
    /// pools and transport socket (TLS for an https issuer comes from the cluster, as in Envoy), the URI's authority as
    /// Host. The body of a 200 answer; null for anything else (logged).
    /// </summary>
    public async Task<string?> FetchAsync(string clusterName, string uri, ProxySnapshot snapshot, CancellationToken cancel)
    {
        var (cluster, host, failure) = Resolve(clusterName, snapshot);
        if (failure is not null)
        {
            LogFetchFailed(log, uri, clusterName, failure);
            return null;
        }

        try
        {
            var target = new Uri(uri);
            using var lease = transports.Acquire(cluster!.Model);
            using var message = new HttpRequestMessage(HttpMethod.Get, new Uri("http://" + host!.Authority + target.PathAndQuery)) { Version = HttpVersion.Version11 };
            message.Headers.Host = target.Authority;
            using var response = await lease.Invoker.SendAsync(message, cancel).ConfigureAwait(false);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                LogFetchFailed(log, uri, clusterName, $"the server answered {(int)response.StatusCode}");
                return null;
            }

            return await response.Content.ReadAsStringAsync(cancel).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            LogFetchFailed(log, uri, clusterName, e.Message);
            return null;
        }
    }

    /// <summary>The service's cluster and the endpoint its balancer picks, or why there is none.</summary>
    private (ClusterRuntime? Cluster, UpstreamHost? Host, string? Failure) Resolve(ExtAuthzService service, ProxySnapshot snapshot) => Resolve(service.Cluster, snapshot);

    private (ClusterRuntime? Cluster, UpstreamHost? Host, string? Failure) Resolve(string name, ProxySnapshot snapshot)
    {
        if (!snapshot.Clusters.TryGetValue(name, out var cluster))
        {
            return (null, null, $"cluster {name} does not exist");
        }

        if (cluster.Model.Kind == DiscoveryKind.OriginalDst || cluster.Balancer.Pick(random())?.Host is not { } host)
        {
            return (null, null, $"cluster {name} has no healthy endpoint");
        }

        return (cluster, host, null);
    }

    private async Task<ExtAuthzResult> CheckAsync(ExtAuthzHttpService service, ClusterRuntime cluster, UpstreamHost host, RouteRequest request, byte[]? body, CancellationToken cancel)
    {
        try
        {
            using var lease = transports.Acquire(cluster.Model);
            using var message = Build(service, request, host, body);
            using var timeout = new CancellationTokenSource(Limit(service), time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancel, timeout.Token);
            using var response = await lease.Invoker.SendAsync(message, linked.Token).ConfigureAwait(false);
            var status = (int)response.StatusCode;
            if (status >= 500)
            {
                return Failed(service, $"the service answered {status}");
            }

            var headers = Headers(response);
            if (response.StatusCode == HttpStatusCode.OK)
            {
                return Allowed(service, headers);
            }

            var text = await ReadBodyAsync(response, linked.Token).ConfigureAwait(false);
            var client = headers.Where(h => !HopByHop.Contains(h.Key) && service.PassesToClientOnDenial(h.Key)).ToArray();
            LogDenied(log, service.Cluster, request.Method, request.Path, status);
            return ExtAuthzResult.Denied(status, text, client);
        }
        catch (OperationCanceledException) when (!cancel.IsCancellationRequested)
        {
            return Failed(service, $"no answer within {service.Timeout.TotalMilliseconds:0} ms");
        }
        catch (HttpRequestException e)
        {
            return Failed(service, e.Message);
        }
    }

    private static TimeSpan Limit(ExtAuthzService service) => service.Timeout == TimeSpan.Zero ? System.Threading.Timeout.InfiniteTimeSpan : service.Timeout;

    private ExtAuthzResult Failed(ExtAuthzService service, string reason)
    {
        LogError(log, service.Cluster, reason);
        return ExtAuthzResult.Error(reason);
    }

    private static ExtAuthzResult Allowed(ExtAuthzHttpService service, List<KeyValuePair<string, string>> headers)
    {
        var remove = new List<string>();
        List<KeyValuePair<string, string>>? upstream = null, append = null, client = null;
        foreach (var (name, value) in headers)
        {
            if (string.Equals(name, HeadersToRemoveHeader, StringComparison.OrdinalIgnoreCase))
            {
                remove.AddRange(value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(n => n.ToLowerInvariant()));
                continue;
            }

            if (AnswerOnly.Contains(name))
            {
                continue;
            }

            if (ExtAuthzService.Any(service.UpstreamHeaders, name))
            {
                (upstream ??= []).Add(KeyValuePair.Create(name, value));
            }

            if (ExtAuthzService.Any(service.UpstreamHeadersToAppend, name))
            {
                (append ??= []).Add(KeyValuePair.Create(name, value));
            }

            if (ExtAuthzService.Any(service.ClientHeadersOnSuccess, name))
            {
                (client ??= []).Add(KeyValuePair.Create(name, value));
            }
        }

        return ExtAuthzResult.Ok(upstream ?? [], append ?? [], client ?? [], remove);
    }

    private static HttpRequestMessage Build(ExtAuthzHttpService service, RouteRequest request, UpstreamHost host, byte[]? body)
    {
        var target = new Uri("http://" + host.Authority + service.PathPrefix + request.Path, new UriCreationOptions { DangerousDisablePathAndQueryCanonicalization = true });
        var message = new HttpRequestMessage(new HttpMethod(request.Method), target)
        {
            Version = HttpVersion.Version11,
            VersionPolicy = HttpVersionPolicy.RequestVersionOrLower,
            Content = new ByteArrayContent(body ?? []),
        };
        message.Headers.Host = request.Authority;
        foreach (var (name, values) in request.Headers)
        {
            var lower = name.ToLowerInvariant();
            if (lower is "host" or "content-length" or "transfer-encoding" or "connection" or "keep-alive" or "te" or "upgrade" || lower.StartsWith(':'))
            {
                continue;
            }

            if (service.SendsHeader(lower))
            {
                Add(message, lower, values.ToString());
            }
        }

        foreach (var (name, value) in service.HeadersToAdd)
        {
            message.Headers.Remove(name);
            message.Content.Headers.Remove(name);
            Add(message, name, value);
        }

        return message;
    }

    private static void Add(HttpRequestMessage message, string name, string value)
    {
        if (!message.Headers.TryAddWithoutValidation(name, value))
        {
            message.Content!.Headers.TryAddWithoutValidation(name, value);
        }
    }

    private static List<KeyValuePair<string, string>> Headers(HttpResponseMessage response)
    {
        var headers = new List<KeyValuePair<string, string>>();
        foreach (var (name, values) in response.Headers.NonValidated)
        {
            foreach (var value in values)
            {
                headers.Add(KeyValuePair.Create(name.ToLowerInvariant(), value));
            }
        }

        foreach (var (name, values) in response.Content.Headers.NonValidated)
        {
            foreach (var value in values)
            {
                headers.Add(KeyValuePair.Create(name.ToLowerInvariant(), value));
            }
        }

        return headers;
    }

    private static async Task<string> ReadBodyAsync(HttpResponseMessage response, CancellationToken cancel)
    {
        var stream = await response.Content.ReadAsStreamAsync(cancel).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            var buffer = new byte[MaxDeniedBody];
            var filled = 0;
            int read;
            while (filled < buffer.Length && (read = await stream.ReadAsync(buffer.AsMemory(filled), cancel).ConfigureAwait(false)) > 0)
            {
                filled += read;
            }

            return Encoding.UTF8.GetString(buffer, 0, filled);
        }
    }

    [LoggerMessage(EventId = 340, Level = LogLevel.Debug, Message = "ext_authz service {Cluster} denied {Method} {Path} with {Status}")]
    private static partial void LogDenied(ILogger log, string cluster, string method, string path, int status);

    [LoggerMessage(EventId = 342, Level = LogLevel.Warning, Message = "JWKS fetch of {Uri} through cluster {Cluster} failed: {Reason}")]
    private static partial void LogFetchFailed(ILogger log, string uri, string cluster, string reason);

    [LoggerMessage(EventId = 341, Level = LogLevel.Warning, Message = "ext_authz service {Cluster} could not be asked: {Reason}")]
    private static partial void LogError(ILogger log, string cluster, string reason);
}
