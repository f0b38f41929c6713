using System.Collections.Frozen;
using Weft.Proxy.Xds;
using Weft.Xds.Envoy.Extensions.Filters.Http.JwtAuthn.V3;

namespace Weft.Proxy.Authentication;

/// <summary>
/// A compiled jwt_authn provider: where its tokens are, which issuer and audiences it accepts, its keys (inline, or
/// fetched from <c>remote_jwks</c>), the clock skew it tolerates, and what it does with a valid token (payload into
/// dynamic metadata, payload and claims into headers, the token itself removed unless <c>forward</c>).
/// </summary>
internal sealed class JwtProviderModel
{
    private const uint DefaultClockSkewSeconds = 60;
    private static readonly TimeSpan DefaultCacheDuration = TimeSpan.FromMinutes(10);

    private JwtProviderModel(string name, JwtProvider config, IReadOnlyList<JwtLocation> locations, JsonWebKeySet? keys, RemoteJwks? remote)
    {
        Name = name;
        Issuer = config.Issuer;
        Audiences = config.Audiences.ToArray();
        Forward = config.Forward;
        ForwardPayloadHeader = config.ForwardPayloadHeader;
        PadForwardPayloadHeader = config.PadForwardPayloadHeader;
        PayloadInMetadata = config.PayloadInMetadata;
        ClaimToHeaders = config.ClaimToHeaders.Select(c => (c.HeaderName, c.ClaimName)).ToArray();
        SpaceDelimitedClaims = (config.NormalizePayloadInMetadata?.SpaceDelimitedClaims ?? []).ToFrozenSet(StringComparer.Ordinal);
        ClockSkewSeconds = config.ClockSkewSeconds == 0 ? DefaultClockSkewSeconds : config.ClockSkewSeconds;
        Locations = locations;
        Keys = keys;
        Remote = remote;
    }

    public string Name { get; }

    public string Issuer { get; }

    public IReadOnlyList<string> Audiences { get; }

    public bool Forward { get; }

    public string ForwardPayloadHeader { get; }

    public bool PadForwardPayloadHeader { get; }

    public string PayloadInMetadata { get; }

    public IReadOnlyList<(string Header, string Claim)> ClaimToHeaders { get; }

    public IReadOnlySet<string> SpaceDelimitedClaims { get; }

    public uint ClockSkewSeconds { get; }

    public IReadOnlyList<JwtLocation> Locations { get; }

    /// <summary>The inline keys; null when they are fetched (<see cref="Remote"/>).</summary>
    public JsonWebKeySet? Keys { get; }

    public RemoteJwks? Remote { get; }

    public static JwtProviderModel Compile(string name, JwtProvider config, TimeProvider time)
    {
        var locations = new List<JwtLocation>();
        foreach (var header in config.FromHeaders)
        {
            if (header.Name.Length == 0)
            {
                throw new XdsRejectedException($"provider {name}: a from_headers entry has no name");
            }

            locations.Add(new HeaderLocation(header.Name.ToLowerInvariant(), header.ValuePrefix));
        }

        locations.AddRange(config.FromParams.Select(p => new ParamLocation(p)));
        locations.AddRange(config.FromCookies.Select(c => new CookieLocation(c)));
        if (locations.Count == 0)
        {
            locations.AddRange(JwtLocation.Defaults);
        }

        foreach (var claim in config.ClaimToHeaders)
        {
            if (claim.HeaderName.Length == 0 || claim.ClaimName.Length == 0)
            {
                throw new XdsRejectedException($"provider {name}: a claim_to_headers entry needs both header_name and claim_name");
            }
        }

        switch (config.JwksSourceSpecifierCase)
        {
            case JwtProvider.JwksSourceSpecifierOneofCase.LocalJwks:
                var text = config.LocalJwks.SpecifierCase switch
                {
                    Weft.Xds.Envoy.Config.Core.V3.DataSource.SpecifierOneofCase.InlineString => config.LocalJwks.InlineString,
                    Weft.Xds.Envoy.Config.Core.V3.DataSource.SpecifierOneofCase.InlineBytes => config.LocalJwks.InlineBytes.ToStringUtf8(),
                    Weft.Xds.Envoy.Config.Core.V3.DataSource.SpecifierOneofCase.Filename => ReadFile(name, config.LocalJwks.Filename),
                    _ => throw new XdsRejectedException($"provider {name}: local_jwks must be inline_string, inline_bytes or filename"),
                };
                var keys = JsonWebKeySet.Parse(text, out var error)
                    ?? throw new XdsRejectedException($"provider {name} (issuer \"{config.Issuer}\"): local_jwks: {error}");
                return new JwtProviderModel(name, config, locations, keys, null);
            case JwtProvider.JwksSourceSpecifierOneofCase.RemoteJwks:
                var uri = config.RemoteJwks.HttpUri?.Uri;
                if (string.IsNullOrEmpty(uri) || !System.Uri.TryCreate(uri, UriKind.Absolute, out var parsed) || parsed.Scheme is not ("http" or "https"))
                {
                    throw new XdsRejectedException($"provider {name}: remote_jwks.http_uri.uri \"{uri}\" is not an absolute http(s) URI");
                }

                if (config.RemoteJwks.HttpUri!.Cluster.Length == 0)
                {
                    throw new XdsRejectedException($"provider {name}: remote_jwks.http_uri.cluster is empty; the key set is fetched through that cluster");
                }

                var timeout = config.RemoteJwks.HttpUri.Timeout?.ToTimeSpan() is { } t && t > TimeSpan.Zero ? t : TimeSpan.FromSeconds(1);
                var cache = config.RemoteJwks.CacheDuration?.ToTimeSpan() is { } c && c > TimeSpan.Zero ? c : DefaultCacheDuration;
                return new JwtProviderModel(name, config, locations, null, new RemoteJwks(uri, config.RemoteJwks.HttpUri.Cluster, timeout, cache, time));
            default:
                throw new XdsRejectedException($"provider {name}: it has neither local_jwks nor remote_jwks");
        }
    }

    /// <summary>Whether one of the token's audiences is allowed (scheme and trailing slash ignored, as jwt_verify_lib does).</summary>
    public static bool AudienceAllowed(IReadOnlyList<string> allowed, IEnumerable<string> audiences)
    {
        if (allowed.Count == 0)
        {
            return true;
        }

        var wanted = allowed.Select(Sanitize).ToHashSet(StringComparer.Ordinal);
        return audiences.Any(a => wanted.Contains(Sanitize(a)));
    }

    private static string Sanitize(string audience)
    {
        var value = audience.StartsWith("https://", StringComparison.Ordinal) ? audience[8..]
            : audience.StartsWith("http://", StringComparison.Ordinal) ? audience[7..]
            : audience;
        return value.EndsWith('/') ? value[..^1] : value;
    }

    private static string ReadFile(string name, string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new XdsRejectedException($"provider {name}: local_jwks file {path} cannot be read: {e.Message}");
        }
    }
}
