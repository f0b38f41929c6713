namespace Weft.Proxy.Authentication;

/// <summary>
/// A provider's <c>remote_jwks</c>: fetched over HTTP when a request first needs it, kept for <c>cache_duration</c>
/// (Envoy's default 10 minutes), then fetched again. Requests that arrive during a fetch share it; a failed fetch is
/// retried by the next request.
/// </summary>
/// <remarks>The URI is fetched directly (its host resolved by DNS), not through the cluster the config names.</remarks>
internal sealed class RemoteJwks(string uri, TimeSpan timeout, TimeSpan cacheDuration, TimeProvider time)
{
    private static readonly HttpClient Http = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) });

    private readonly Lock _gate = new();
    private volatile Cached? _cached;
    private Task<JsonWebKeySet?>? _fetch;

    public string Uri { get; } = uri;

    /// <summary>The key set, from the cache or fetched now; null when it cannot be fetched.</summary>
    public async ValueTask<JsonWebKeySet?> GetAsync(CancellationToken cancel)
    {
        if (_cached is { } cached && time.GetUtcNow() < cached.Expires)
        {
            return cached.Keys;
        }

        Task<JsonWebKeySet?> fetch;
        lock (_gate)
        {
            if (_fetch is null || _fetch.IsCompleted)
            {
                _fetch = FetchAsync();
            }

            fetch = _fetch;
        }

        return await fetch.WaitAsync(cancel).ConfigureAwait(false);
    }

    private async Task<JsonWebKeySet?> FetchAsync()
    {
        try
        {
            using var bounded = new CancellationTokenSource(timeout);
            using var response = await Http.GetAsync(Uri, bounded.Token).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                return null;
            }

            var body = await response.Content.ReadAsStringAsync(bounded.Token).ConfigureAwait(false);
            if (JsonWebKeySet.Parse(body, out _) is not { } keys)
            {
                return null;
            }

            _cached = new Cached(keys, time.GetUtcNow() + cacheDuration);
            return keys;
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException or InvalidOperationException)
        {
            return null;
        }
    }

    private sealed record Cached(JsonWebKeySet Keys, DateTimeOffset Expires);
}
