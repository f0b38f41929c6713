namespace Weft.Proxy.Authentication;

/// <summary>
/// Fetches a key set's text: <c>GET</c> of the URI through the cluster <c>http_uri</c> names (its endpoints, balancer and
/// transport socket, as Envoy fetches it); null when the fetch fails.
/// </summary>
internal delegate Task<string?> JwksFetch(RemoteJwks jwks, CancellationToken cancel);

/// <summary>
/// A provider's <c>remote_jwks</c>: fetched through its cluster when a request first needs it, kept for
/// <c>cache_duration</c> (Envoy's default 10 minutes), then fetched again. Requests that arrive during a fetch share it;
/// a failed fetch is retried by the next request.
/// </summary>
internal sealed class RemoteJwks(string uri, string cluster, TimeSpan timeout, TimeSpan cacheDuration, TimeProvider time)
{
    private readonly Lock _gate = new();
    private volatile Cached? _cached;
    private Task<JsonWebKeySet?>? _fetch;

    public string Uri { get; } = uri;

    /// <summary>The cluster the URI is fetched through (<c>http_uri.cluster</c>).</summary>
    public string Cluster { get; } = cluster;

    /// <summary>The key set, from the cache or fetched now with <paramref name="fetch"/>; null when it cannot be fetched.</summary>
    public async ValueTask<JsonWebKeySet?> GetAsync(JwksFetch? fetch, CancellationToken cancel)
    {
        if (_cached is { } cached && time.GetUtcNow() < cached.Expires)
        {
            return cached.Keys;
        }

        Task<JsonWebKeySet?> pending;
        lock (_gate)
        {
            if (_fetch is null || _fetch.IsCompleted)
            {
                _fetch = FetchAsync(fetch);
            }

            pending = _fetch;
        }

        return await pending.WaitAsync(cancel).ConfigureAwait(false);
    }

    private async Task<JsonWebKeySet?> FetchAsync(JwksFetch? fetch)
    {
        if (fetch is null)
        {
            return null;
        }

        try
        {
            using var bounded = new CancellationTokenSource(timeout);
            if (await fetch(this, bounded.Token).ConfigureAwait(false) is not { } body || JsonWebKeySet.Parse(body, out _) is not { } keys)
            {
                return null;
            }

            _cached = new Cached(keys, time.GetUtcNow() + cacheDuration);
            return keys;
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    private sealed record Cached(JsonWebKeySet Keys, DateTimeOffset Expires);
}
