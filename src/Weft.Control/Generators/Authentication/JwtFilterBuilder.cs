using Google.Protobuf.WellKnownTypes;
using Weft.Api.Model.Security;
using Weft.Control.Generators.Routes;
using Weft.Control.Push;
using Weft.Xds.Envoy.Config.Core.V3;
using Weft.Xds.Envoy.Config.Route.V3;
using Weft.Xds.Envoy.Extensions.Filters.Http.JwtAuthn.V3;
using Weft.Xds.Envoy.Extensions.Filters.Network.HttpConnectionManager.V3;

namespace Weft.Control.Generators.Authentication;

/// <summary>
/// RequestAuthentication's JWT rules as Envoy's jwt_authn filter, the way Istio's policy applier writes it: one provider
/// <c>origins-N</c> per rule (rules of all applying policies, ordered by issuer), the payload kept in dynamic metadata under
/// <c>payload</c> (where RBAC's requestPrincipals and claims look), and a requirement that lets a request without a token
/// through (authorization decides about it) but refuses one with a token no provider accepts. JWKS named by URI are
/// fetched by the control plane and inlined.
/// </summary>
internal static class JwtFilterBuilder
{
    public const string FilterName = "envoy.filters.http.jwt_authn";
    public const string PayloadKey = "payload";

    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(5);

    /// <summary>The filter for these policies; null when they hold no JWT rule.</summary>
    public static HttpFilter? Build(IReadOnlyList<RequestAuthenticationView> policies, JwksResolver jwks, bool clearRouteCache)
    {
        var rules = policies.SelectMany(p => p.Spec.JwtRules ?? []).OrderBy(r => r.Issuer ?? string.Empty, StringComparer.Ordinal).ToList();
        if (rules.Count == 0)
        {
            return null;
        }

        var config = new JwtAuthentication { BypassCorsPreflight = true };
        var eachOrMissing = new JwtRequirementAndList();
        var anyProvider = new JwtRequirementOrList();
        for (var i = 0; i < rules.Count; i++)
        {
            var name = $"origins-{i}";
            config.Providers[name] = Provider(rules[i], jwks, clearRouteCache);
            eachOrMissing.Requirements.Add(new JwtRequirement
            {
                RequiresAny = new JwtRequirementOrList
                {
                    Requirements = { new JwtRequirement { ProviderName = name }, new JwtRequirement { AllowMissing = new Empty() } },
                },
            });
            anyProvider.Requirements.Add(new JwtRequirement { ProviderName = name });
        }

        JwtRequirement requires;
        if (rules.Count == 1)
        {
            requires = eachOrMissing.Requirements[0];
        }
        else
        {
            // Any one provider accepting the token, or else every provider either accepting or finding no token: the first
            // part covers providers that share a location (the AND alone would always fail for them).
            anyProvider.Requirements.Add(new JwtRequirement { RequiresAll = eachOrMissing });
            requires = new JwtRequirement { RequiresAny = anyProvider };
        }

        config.Rules.Add(new RequirementRule { Match = new RouteMatch { Prefix = "/" }, Requires = requires });
        return new HttpFilter { Name = FilterName, TypedConfig = Any.Pack(config) };
    }

    private static JwtProvider Provider(JWTRule rule, JwksResolver jwks, bool clearRouteCache)
    {
        var provider = new JwtProvider
        {
            Issuer = rule.Issuer ?? string.Empty,
            Forward = rule.ForwardOriginalToken ?? false,
            ForwardPayloadHeader = rule.OutputPayloadToHeader ?? string.Empty,
            PayloadInMetadata = PayloadKey,
            NormalizePayloadInMetadata = new JwtProvider.Types.NormalizePayload(),
            ClearRouteCache = clearRouteCache,
        };
        provider.Audiences.AddRange(rule.Audiences ?? []);
        provider.NormalizePayloadInMetadata.SpaceDelimitedClaims.AddRange(SpaceDelimitedClaims(rule.SpaceDelimitedClaims));
        foreach (var claim in rule.OutputClaimToHeaders ?? [])
        {
            provider.ClaimToHeaders.Add(new JwtClaimToHeader { HeaderName = claim.Header ?? string.Empty, ClaimName = claim.Claim ?? string.Empty });
        }

        foreach (var header in rule.FromHeaders ?? [])
        {
            provider.FromHeaders.Add(new JwtHeader { Name = header.Name ?? string.Empty, ValuePrefix = header.Prefix ?? string.Empty });
        }

        provider.FromParams.AddRange(rule.FromParams ?? []);
        provider.FromCookies.AddRange(rule.FromCookies ?? []);

        var inline = rule.Jwks;
        if (string.IsNullOrEmpty(inline))
        {
            var timeout = RouteDurations.Parse(rule.Timeout)?.ToTimeSpan() ?? DefaultTimeout;
            var uri = rule.JwksUri ?? rule.Jwks_uri ?? string.Empty;
            inline = jwks.Resolve(provider.Issuer, uri, timeout).Jwks ?? JwksResolver.FailClosedJwks;
        }

        provider.LocalJwks = new DataSource { InlineString = inline };
        return provider;
    }

    /// <summary>Claims whose space-separated string value is matched as a list: always <c>scope</c> and <c>permission</c>.</summary>
    private static IEnumerable<string> SpaceDelimitedClaims(IReadOnlyList<string>? extra) => extra is null
        ? ["permission", "scope"]
        : extra.Concat(["permission", "scope"]).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);
}
