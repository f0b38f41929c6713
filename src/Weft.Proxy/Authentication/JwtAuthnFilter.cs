using System.Collections.Frozen;
using Microsoft.AspNetCore.Http;
using Weft.Proxy.Authorization;
using Weft.Proxy.Snapshot.Matching;
using Weft.Proxy.Xds;
using Weft.Xds.Envoy.Extensions.Filters.Http.JwtAuthn.V3;

namespace Weft.Proxy.Authentication;

/// <summary>
/// Envoy's jwt_authn filter: the first rule whose match fits the request gives the requirement; the providers it names
/// look for tokens, check them (issuer, time with clock skew, audiences, signature) and, for a valid one, leave its
/// payload in dynamic metadata and its payload or claims in headers. A request the requirement refuses is answered 401
/// (403 for a disallowed audience) with the reason as body; CORS preflights pass when <c>bypass_cors_preflight</c> is set.
/// </summary>
internal sealed class JwtAuthnFilter
{
    public const string FilterName = DynamicMetadata.JwtAuthnFilter;

    private readonly FrozenDictionary<string, JwtProviderModel> _providers;
    private readonly (RouteCondition Match, JwtRequirementModel? Requires)[] _rules;
    private readonly bool _bypassCorsPreflight;
    private readonly TimeProvider _time;

    private JwtAuthnFilter(FrozenDictionary<string, JwtProviderModel> providers, (RouteCondition, JwtRequirementModel?)[] rules, bool bypassCorsPreflight, TimeProvider time, JwtAuthnCounters counters)
    {
        Counters = counters;
        _providers = providers;
        _rules = rules;
        _bypassCorsPreflight = bypassCorsPreflight;
        _time = time;
    }

    public IReadOnlyCollection<JwtProviderModel> Providers => _providers.Values;

    public JwtAuthnCounters Counters { get; }

    /// <param name="statPrefix">The connection manager's stats prefix (<c>http.PREFIX.</c>), for the filter's counters.</param>
    public static JwtAuthnFilter Compile(JwtAuthentication config, TimeProvider time, string statPrefix = "http.")
    {
        var providers = config.Providers.ToFrozenDictionary(p => p.Key, p => JwtProviderModel.Compile(p.Key, p.Value, time), StringComparer.Ordinal);
        var named = config.RequirementMap.ToDictionary(r => r.Key, r => JwtRequirementModel.Compile(r.Value, providers, $"requirement_map[{r.Key}]"), StringComparer.Ordinal);
        var rules = new List<(RouteCondition, JwtRequirementModel?)>();
        for (var i = 0; i < config.Rules.Count; i++)
        {
            var rule = config.Rules[i];
            if (rule.Match is null)
            {
                throw new XdsRejectedException($"rules[{i}] has no match");
            }

            var requires = rule.RequirementTypeCase switch
            {
                RequirementRule.RequirementTypeOneofCase.Requires => JwtRequirementModel.Compile(rule.Requires, providers, $"rules[{i}].requires"),
                RequirementRule.RequirementTypeOneofCase.RequirementName => named.TryGetValue(rule.RequirementName, out var found)
                    ? found
                    : throw new XdsRejectedException($"rules[{i}].requirement_name \"{rule.RequirementName}\" is not in requirement_map"),
                _ => null,
            };
            rules.Add((RouteCondition.Compile(rule.Match), requires));
        }

        return new JwtAuthnFilter(providers, rules.ToArray(), config.BypassCorsPreflight, time, new JwtAuthnCounters(statPrefix));
    }

    /// <summary>
    /// Verifies the request; <see cref="JwtStatus.Ok"/> lets it go on to the next filter. <paramref name="fetch"/> gets
    /// remote key sets through their clusters.
    /// </summary>
    public async ValueTask<JwtStatus> RunAsync(RouteRequest request, DynamicMetadata metadata, JwksFetch? fetch, CancellationToken cancel)
    {
        var status = await DecideAsync(request, metadata, fetch, cancel).ConfigureAwait(false);
        Counters.Decided(status == JwtStatus.Ok);
        return status;
    }

    private async ValueTask<JwtStatus> DecideAsync(RouteRequest request, DynamicMetadata metadata, JwksFetch? fetch, CancellationToken cancel)
    {
        if (_bypassCorsPreflight && HttpMethods.IsOptions(request.Method)
            && request.Headers.ContainsKey("origin") && request.Headers.ContainsKey("access-control-request-method"))
        {
            Counters.CorsPreflightBypassed();
            return JwtStatus.Ok;
        }

        foreach (var (match, requires) in _rules)
        {
            if (match.Matches(request, 0))
            {
                return requires is null ? JwtStatus.Ok : await new Verification(this, request, metadata, fetch, cancel).RunAsync(requires).ConfigureAwait(false);
            }
        }

        return JwtStatus.Ok;
    }

    /// <summary>Envoy's <c>www-authenticate</c> for a refusal: the realm is the request's URI (without query, at most 256 characters).</summary>
    public static string Challenge(RouteRequest request, JwtStatus status)
    {
        var uri = $"{request.Scheme}://{request.Authority}{request.PathOnly}";
        if (uri.Length > 256)
        {
            uri = uri[..256];
        }

        return status == JwtStatus.Missing ? $"Bearer realm=\"{uri}\"" : $"Bearer realm=\"{uri}\", error=\"invalid_token\"";
    }

    /// <summary>One request's verification: each provider checks its tokens once, however often the requirement names it.</summary>
    private sealed class Verification(JwtAuthnFilter filter, RouteRequest request, DynamicMetadata metadata, JwksFetch? fetch, CancellationToken cancel)
    {
        private readonly Dictionary<ProviderRequirement, JwtStatus> _done = [];

        public async ValueTask<JwtStatus> RunAsync(JwtRequirementModel requirement)
        {
            switch (requirement)
            {
                case ProviderRequirement provider:
                    if (!_done.TryGetValue(provider, out var status))
                    {
                        status = await VerifyAsync(provider.Provider, provider.Audiences ?? provider.Provider.Audiences).ConfigureAwait(false);
                        _done[provider] = status;
                    }

                    return status;
                case AnyRequirement any:
                    var failures = new List<JwtStatus>();
                    foreach (var each in any.Requirements)
                    {
                        var result = await RunAsync(each).ConfigureAwait(false);
                        if (result == JwtStatus.Ok)
                        {
                            return JwtStatus.Ok;
                        }

                        failures.Add(result);
                    }

                    // The most telling failure: a token that was found and refused, over an unknown issuer, over none found.
                    return failures.FirstOrDefault(f => f is not (JwtStatus.Missing or JwtStatus.UnknownIssuer), failures.Contains(JwtStatus.UnknownIssuer) ? JwtStatus.UnknownIssuer : JwtStatus.Missing);
                case AllRequirement all:
                    foreach (var each in all.Requirements)
                    {
                        var result = await RunAsync(each).ConfigureAwait(false);
                        if (result != JwtStatus.Ok)
                        {
                            return result;
                        }
                    }

                    return JwtStatus.Ok;
                case AllowMissingRequirement:
                    // Refused as "missing" so that, in an any-list, the reason a provider gave for refusing the token is the one reported.
                    return filter._providers.Values.Any(p => p.Locations.Any(l => l.Find(request) is not null)) ? JwtStatus.Missing : JwtStatus.Ok;
                default:
                    return JwtStatus.Ok;
            }
        }

        private async ValueTask<JwtStatus> VerifyAsync(JwtProviderModel provider, IReadOnlyList<string> audiences)
        {
            var found = new List<(JwtLocation Location, JwtToken Token)>();
            foreach (var location in provider.Locations)
            {
                if (location.Find(request) is not { } raw)
                {
                    continue;
                }

                // Every token the provider finds must be valid: a good token beside a bad one does not let the request in.
                var status = JwtToken.TryParse(raw, out var token);
                if (status == JwtStatus.Ok)
                {
                    status = await CheckAsync(provider, audiences, token!).ConfigureAwait(false);
                }

                if (status != JwtStatus.Ok)
                {
                    return status;
                }

                found.Add((location, token!));
            }

            if (found.Count == 0)
            {
                return JwtStatus.Missing;
            }

            foreach (var (location, token) in found)
            {
                Apply(provider, location, token);
            }

            return JwtStatus.Ok;
        }

        private async ValueTask<JwtStatus> CheckAsync(JwtProviderModel provider, IReadOnlyList<string> audiences, JwtToken token)
        {
            if (provider.Issuer.Length > 0 && token.Issuer != provider.Issuer)
            {
                return JwtStatus.UnknownIssuer;
            }

            var now = filter._time.GetUtcNow().ToUnixTimeSeconds();
            if (token.NotBefore is { } nbf && now + provider.ClockSkewSeconds < nbf)
            {
                return JwtStatus.NotYetValid;
            }

            if (token.Expires is { } exp && now - provider.ClockSkewSeconds > exp)
            {
                return JwtStatus.Expired;
            }

            if (!JwtProviderModel.AudienceAllowed(audiences, token.Audiences))
            {
                return JwtStatus.AudienceNotAllowed;
            }

            var keys = provider.Keys ?? await provider.Remote!.GetAsync(fetch, cancel).ConfigureAwait(false);
            return keys is null ? JwtStatus.JwksFetchFailed : keys.Verify(token);
        }

        private void Apply(JwtProviderModel provider, JwtLocation location, JwtToken token)
        {
            if (provider.PayloadInMetadata.Length > 0)
            {
                metadata.Set(FilterName, provider.PayloadInMetadata, Google.Protobuf.WellKnownTypes.Value.ForStruct(token.PayloadStruct(provider.SpaceDelimitedClaims)));
            }

            if (provider.ForwardPayloadHeader.Length > 0)
            {
                var payload = token.PayloadSegment;
                if (provider.PadForwardPayloadHeader && payload.Length % 4 != 0)
                {
                    payload += new string('=', 4 - (payload.Length % 4));
                }

                request.Headers[provider.ForwardPayloadHeader] = payload;
            }

            foreach (var (header, claim) in provider.ClaimToHeaders)
            {
                if (token.ClaimText(claim) is { } value)
                {
                    request.Headers[header] = value;
                }
            }

            if (!provider.Forward)
            {
                location.Remove(request.Headers);
            }
        }
    }
}
