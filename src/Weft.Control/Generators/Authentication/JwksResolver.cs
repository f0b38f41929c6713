using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace Weft.Control.Generators.Authentication;

/// <summary>
/// Fetches the JWKS a RequestAuthentication names by <c>jwksUri</c> (or, without one, through the issuer's OpenID
/// discovery document) so that it can be inlined in the proxies' jwt_authn config, as istiod does by default
/// (<c>PILOT_JWT_ENABLE_REMOTE_JWKS=false</c>). Each fetch is bounded by the rule's <c>timeout</c>; results are cached
/// per (issuer, URI) and refetched after <see cref="RefreshInterval"/> (<see cref="RetryInterval"/> after a failure).
/// When a JWKS cannot be had, the proxies get a key set whose private key no one holds, so every token is refused
/// rather than trusted (fail closed, as Istio does).
/// </summary>
public sealed partial class JwksResolver
{
    private const string DiscoverySuffix = "/.well-known/openid-configuration";
    private const int MaxBody = 1 << 20;

    private readonly HttpClient? _http;
    private readonly TimeProvider _time;
    private readonly ILogger? _log;
    private readonly ConcurrentDictionary<(string Issuer, string Uri), Entry> _entries = new();
    private readonly object _fetching = new();

    /// <param name="http">The client to fetch with; null for a resolver that never fetches (every lookup falls back).</param>
    public JwksResolver(HttpClient? http, TimeProvider? time = null, ILogger? log = null)
    {
        _http = http;
        _time = time ?? TimeProvider.System;
        _log = log;
    }

    /// <summary>A resolver that fetches nothing: inline <c>jwks</c> work, <c>jwksUri</c> falls back to <see cref="FailClosedJwks"/>.</summary>
    public static JwksResolver Offline { get; } = new(null);

    /// <summary>A fresh resolver with its own HTTP client (the control plane's).</summary>
    public static JwksResolver Online(TimeProvider time, ILogger log) =>
        new(new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) }), time, log);

    public TimeSpan RefreshInterval { get; init; } = TimeSpan.FromMinutes(20);

    public TimeSpan RetryInterval { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>A public-only RSA key set: its private key was discarded when this process made it.</summary>
    public static string FailClosedJwks { get; } = MakeFailClosedJwks();

    /// <summary>The JWKS for a rule (fetched or cached), or the reason there is none.</summary>
    public JwksResult Resolve(string issuer, string jwksUri, TimeSpan timeout)
    {
        var key = (issuer, jwksUri);
        var now = _time.GetUtcNow();
        if (_entries.TryGetValue(key, out var entry) && !entry.Stale(now, RefreshInterval, RetryInterval))
        {
            return entry.Result;
        }

        lock (_fetching)
        {
            if (_entries.TryGetValue(key, out entry) && !entry.Stale(now, RefreshInterval, RetryInterval))
            {
                return entry.Result;
            }

            var result = Fetch(issuer, jwksUri, timeout);
            _entries[key] = new Entry(result, _time.GetUtcNow(), timeout);
            return result;
        }
    }

    /// <summary>
    /// Refetches every cached JWKS that is due; true when any of them now differs from what was last inlined (the
    /// caller then pushes, so proxies get the new keys).
    /// </summary>
    public bool RefreshDue()
    {
        var changed = false;
        var now = _time.GetUtcNow();
        foreach (var (key, entry) in _entries.ToArray())
        {
            if (!entry.Stale(now, RefreshInterval, RetryInterval))
            {
                continue;
            }

            JwksResult result;
            lock (_fetching)
            {
                result = Fetch(key.Issuer, key.Uri, entry.Timeout);
                _entries[key] = new Entry(result, _time.GetUtcNow(), entry.Timeout);
            }

            changed |= result.Jwks != entry.Result.Jwks;
        }

        return changed;
    }

    /// <summary>The earliest time a cached entry is due for a refetch; null when nothing is cached.</summary>
    public DateTimeOffset? NextDue() => _entries.IsEmpty
        ? null
        : _entries.Values.Min(e => e.FetchedAt + (e.Result.Error is null ? RefreshInterval : RetryInterval));

    private JwksResult Fetch(string issuer, string jwksUri, TimeSpan timeout)
    {
        if (_http is null)
        {
            return JwksResult.Failed("fetching JWKS is disabled in this control plane");
        }

        try
        {
            using var cancel = new CancellationTokenSource(timeout);
            var uri = jwksUri;
            if (uri.Length == 0)
            {
                if (issuer.Length == 0)
                {
                    return JwksResult.Failed("the rule has neither jwksUri nor issuer");
                }

                using var discovery = JsonDocument.Parse(Get(issuer.TrimEnd('/') + DiscoverySuffix, cancel.Token));
                uri = discovery.RootElement.ValueKind == JsonValueKind.Object
                    && discovery.RootElement.TryGetProperty("jwks_uri", out var found) && found.ValueKind == JsonValueKind.String
                    ? found.GetString()!
                    : throw new InvalidDataException($"{issuer}{DiscoverySuffix} has no jwks_uri");
            }

            var body = Get(uri, cancel.Token);
            using (var document = JsonDocument.Parse(body))
            {
                if (document.RootElement.ValueKind != JsonValueKind.Object
                    || !document.RootElement.TryGetProperty("keys", out var keys) || keys.ValueKind != JsonValueKind.Array)
                {
                    throw new InvalidDataException($"{uri} did not return a JWKS (a JSON object with a \"keys\" array)");
                }
            }

            return new JwksResult(System.Text.Encoding.UTF8.GetString(body), null);
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException or JsonException or InvalidDataException or UriFormatException or ArgumentException or NotSupportedException)
        {
            var reason = e is OperationCanceledException ? $"no answer within {timeout.TotalSeconds:0.###}s" : e.Message;
            if (_log is not null)
            {
                LogFetchFailed(_log, jwksUri.Length > 0 ? jwksUri : issuer, reason);
            }

            return JwksResult.Failed(reason);
        }
    }

    private byte[] Get(string uri, CancellationToken cancel)
    {
        var parsed = new Uri(uri, UriKind.Absolute);
        if (parsed.Scheme is not ("http" or "https"))
        {
            throw new NotSupportedException($"{uri}: only http and https JWKS URIs can be fetched");
        }

        using var request = new HttpRequestMessage(HttpMethod.Get, parsed);
        using var response = _http!.Send(request, HttpCompletionOption.ResponseHeadersRead, cancel);
        using var stream = response.Content.ReadAsStream(cancel);
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = stream.Read(chunk)) > 0)
        {
            buffer.Write(chunk, 0, read);
            if (buffer.Length > MaxBody)
            {
                throw new InvalidDataException($"{uri} answered with more than {MaxBody} bytes");
            }
        }

        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"{uri} answered {(int)response.StatusCode}");
        }

        return buffer.ToArray();
    }

    private static string MakeFailClosedJwks()
    {
        using var rsa = RSA.Create(2048);
        var parameters = rsa.ExportParameters(includePrivateParameters: false);
        return "{\"keys\":[{\"kty\":\"RSA\",\"e\":\"" + Base64Url(parameters.Exponent!) + "\",\"n\":\"" + Base64Url(parameters.Modulus!) + "\"}]}";
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private sealed record Entry(JwksResult Result, DateTimeOffset FetchedAt, TimeSpan Timeout)
    {
        public bool Stale(DateTimeOffset now, TimeSpan refresh, TimeSpan retry) => now - FetchedAt >= (Result.Error is null ? refresh : retry);
    }

    [LoggerMessage(EventId = 400, Level = LogLevel.Warning, Message = "JWKS for {Source} could not be fetched ({Reason}); proxies get a key set that refuses every token until it can")]
    private static partial void LogFetchFailed(ILogger log, string source, string reason);
}

/// <summary>A fetched JWKS, or why there is none (then <see cref="Jwks"/> is null).</summary>
public sealed record JwksResult(string? Jwks, string? Error)
{
    public static JwksResult Failed(string error) => new(null, error);
}
