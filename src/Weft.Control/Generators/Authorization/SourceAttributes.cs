using Weft.Xds.Envoy.Config.Rbac.V3;
using Weft.Xds.Envoy.Type.Matcher.V3;

namespace Weft.Control.Generators.Authorization;

/// <summary>
/// The attributes about who sends a request: <c>from.source</c> (principals, request principals, namespaces, service
/// accounts, trust domains, IP blocks) and the <c>when</c> keys on the source, the request's headers and its JWT. They
/// become RBAC principals. Peer identities are SPIFFE ids (<c>spiffe://TD/ns/NS/sa/SA</c>) from the peer certificate;
/// JWT attributes are read from the jwt_authn filter's <c>payload</c> metadata.
/// </summary>
internal static class SourceAttributes
{
    private static readonly StringMatcher MatchAny = AuthzMatchers.Regex(".+");

    public static AttributeTranslator SourceIp { get; } = new AddressTranslator(remote: false);

    public static AttributeTranslator RemoteIp { get; } = new AddressTranslator(remote: true);

    public static AttributeTranslator SourceNamespace { get; } = new NamespaceTranslator();

    public static AttributeTranslator SourceTrustDomain { get; } = new TrustDomainTranslator();

    public static AttributeTranslator SourcePrincipal { get; } = new PrincipalTranslator();

    public static AttributeTranslator RequestPrincipal { get; } = new RequestPrincipalTranslator();

    public static AttributeTranslator RequestAudiences { get; } = new ClaimListTranslator("aud");

    public static AttributeTranslator RequestPresenter { get; } = new ClaimListTranslator("azp");

    public static AttributeTranslator RequestHeader { get; } = new HeaderTranslator();

    public static AttributeTranslator RequestClaims { get; } = new ClaimListTranslator(null);

    /// <summary>Service accounts: <c>SA</c> (in the policy's namespace) or <c>NS/SA</c>.</summary>
    public static AttributeTranslator SourceServiceAccount(string policyNamespace) => new ServiceAccountTranslator(policyNamespace);

    /// <summary><c>ipBlocks</c>/<c>source.ip</c> are the connection's peer; <c>remoteIpBlocks</c>/<c>remote.ip</c> the client behind X-Forwarded-For.</summary>
    private sealed class AddressTranslator(bool remote) : AttributeTranslator
    {
        public override Translated<Principal> Principal(string key, string value, bool forTcp, bool useAuthenticated)
        {
            var cidr = RbacNodes.Cidr(value);
            if (cidr.Value is not { } range)
            {
                return Translated<Principal>.Fail(cidr.Error!);
            }

            return Translated<Principal>.Of(remote ? new Principal { RemoteIp = range } : new Principal { DirectRemoteIp = range });
        }
    }

    /// <summary>A namespace is the <c>/ns/NS/</c> part of the peer's identity; <c>*</c> in a value matches anything.</summary>
    private sealed class NamespaceTranslator : AttributeTranslator
    {
        public override Translated<Principal> Principal(string key, string value, bool forTcp, bool useAuthenticated)
        {
            var pattern = string.Join(".*", value.Split('*').Select(AuthzMatchers.Quote));
            return Translated<Principal>.Of(RbacNodes.Authenticated(AuthzMatchers.Regex($".*/ns/{pattern}/.*"), useAuthenticated));
        }
    }

    private sealed class TrustDomainTranslator : AttributeTranslator
    {
        public override Translated<Principal> Principal(string key, string value, bool forTcp, bool useAuthenticated)
        {
            StringMatcher matcher;
            if (value == "*")
            {
                matcher = AuthzMatchers.Prefix("spiffe://");
            }
            else if (!value.Contains('*', StringComparison.Ordinal))
            {
                matcher = AuthzMatchers.Prefix("spiffe://" + value + "/");
            }
            else
            {
                // One "*" stands for any characters of the trust domain (never a "/").
                var parts = value.Split('*', 2);
                matcher = AuthzMatchers.Regex($"spiffe://{AuthzMatchers.Quote(parts[0])}[^/]*{AuthzMatchers.Quote(parts[1])}/.*");
            }

            return Translated<Principal>.Of(RbacNodes.Authenticated(matcher, useAuthenticated));
        }
    }

    private sealed class ServiceAccountTranslator(string policyNamespace) : AttributeTranslator
    {
        public override Translated<Principal> Principal(string key, string value, bool forTcp, bool useAuthenticated)
        {
            var slash = value.IndexOf('/', StringComparison.Ordinal);
            var (ns, sa) = slash < 0 ? (policyNamespace, value) : (value[..slash], value[(slash + 1)..]);

            // The trust domain and any further segments are free, but the namespace and account must be whole segments.
            var regex = $"spiffe://.+/ns/{AuthzMatchers.Quote(ns)}/(.+/|)sa/{AuthzMatchers.Quote(sa)}(/.+)?";
            return Translated<Principal>.Of(RbacNodes.Authenticated(AuthzMatchers.Regex(regex), useAuthenticated));
        }
    }

    private sealed class PrincipalTranslator : AttributeTranslator
    {
        public override Translated<Principal> Principal(string key, string value, bool forTcp, bool useAuthenticated) =>
            Translated<Principal>.Of(RbacNodes.Authenticated(AuthzMatchers.String(value, "spiffe://"), useAuthenticated));
    }

    /// <summary>
    /// <c>ISS/SUB</c>: the JWT's issuer and subject, split at the last "/" (issuers are often URLs); a leading or trailing
    /// <c>*</c> makes a suffix of the issuer or a prefix of the subject, and <c>*</c> alone any issuer and subject.
    /// </summary>
    private sealed class RequestPrincipalTranslator : AttributeTranslator
    {
        public override bool Aggregates => true;

        public override Translated<Principal> Principal(string key, IReadOnlyList<string> values, bool forTcp)
        {
            if (forTcp)
            {
                return Translated<Principal>.Fail(HttpOnly(key));
            }

            var any = new List<Principal>();
            foreach (var value in values)
            {
                var slash = value.LastIndexOf('/');
                var (iss, sub) = slash >= 0 ? (value[..slash], value[(slash + 1)..]) : (value, string.Empty);
                StringMatcher matchIss, matchSub;
                if (value == "*")
                {
                    (matchIss, matchSub) = (MatchAny, MatchAny);
                }
                else if (value.StartsWith('*'))
                {
                    (matchIss, matchSub) = slash >= 0
                        ? (iss == "*" ? MatchAny : AuthzMatchers.Suffix(iss[1..]), AuthzMatchers.Exact(sub))
                        : (MatchAny, AuthzMatchers.Suffix(value[1..]));
                }
                else if (value.EndsWith('*'))
                {
                    (matchIss, matchSub) = slash >= 0
                        ? (AuthzMatchers.Exact(iss), sub == "*" ? MatchAny : AuthzMatchers.Prefix(sub[..^1]))
                        : (AuthzMatchers.Prefix(value[..^1]), MatchAny);
                }
                else
                {
                    (matchIss, matchSub) = (AuthzMatchers.Exact(iss), AuthzMatchers.Exact(sub));
                }

                any.Add(RbacNodes.And([
                    new Principal { Metadata = AuthzMatchers.JwtClaim("iss", matchIss.Clone()) },
                    new Principal { Metadata = AuthzMatchers.JwtClaim("sub", matchSub.Clone()) },
                ]));
            }

            return any.Count switch
            {
                0 => default,
                1 => Translated<Principal>.Of(any[0]),
                _ => Translated<Principal>.Of(RbacNodes.Or(any)),
            };
        }
    }

    /// <summary>
    /// A JWT claim that may hold a string or a list: <c>aud</c>, <c>azp</c>, or the claim path of
    /// <c>request.auth.claims[A][B]</c> (a nested claim); any of the values matches the string or one list element.
    /// </summary>
    private sealed class ClaimListTranslator(string? claim) : AttributeTranslator
    {
        public override bool Aggregates => true;

        public override Translated<Principal> Principal(string key, IReadOnlyList<string> values, bool forTcp)
        {
            if (forTcp)
            {
                return Translated<Principal>.Fail(HttpOnly(key));
            }

            IReadOnlyList<string> path;
            if (claim is not null)
            {
                path = [claim];
            }
            else if (Brackets.Nested(key["request.auth.claims".Length..]) is { } claims)
            {
                path = claims;
            }
            else
            {
                return Translated<Principal>.Fail($"expecting format [<NAME>], but found {key["request.auth.claims".Length..]}");
            }

            var matcher = AuthzMatchers.StringOrList(AuthzMatchers.JwtFilter, [AuthzMatchers.JwtPayload, .. path], AuthzMatchers.AnyString(values));
            return Translated<Principal>.Of(new Principal { Metadata = matcher });
        }
    }

    private sealed class HeaderTranslator : AttributeTranslator
    {
        public override Translated<Principal> Principal(string key, string value, bool forTcp, bool useAuthenticated)
        {
            if (forTcp)
            {
                return Translated<Principal>.Fail(HttpOnly(key));
            }

            var name = key["request.headers".Length..];
            return Brackets.Single(name) is { } header
                ? Translated<Principal>.Of(RbacNodes.HeaderId(AuthzMatchers.Header(header, value)))
                : Translated<Principal>.Fail($"expecting format [<NAME>], but found {name}");
        }
    }
}
