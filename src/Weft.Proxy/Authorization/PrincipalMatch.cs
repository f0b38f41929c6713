using System.Net;
using Weft.Proxy.Snapshot.Listeners;
using Weft.Proxy.Snapshot.Matching;
using Weft.Proxy.Xds;
using Weft.Xds.Envoy.Config.Rbac.V3;

namespace Weft.Proxy.Authorization;

/// <summary>
/// A compiled RBAC principal (who sends the request), with Envoy's semantics: <c>authenticated</c> needs a peer
/// certificate (any, without a name; else a URI SAN, then a DNS SAN, then the subject must match), <c>direct_remote_ip</c>
/// and the deprecated <c>source_ip</c> are the connection's peer, <c>remote_ip</c> the client the connection manager
/// derived from X-Forwarded-For; headers, paths and metadata as for permissions.
/// </summary>
internal abstract class PrincipalMatch
{
    public abstract bool Matches(AuthorizationInput input);

    public static PrincipalMatch Compile(Principal principal) => principal.IdentifierCase switch
    {
        Principal.IdentifierOneofCase.Any => principal.Any ? Always.Instance : throw new XdsRejectedException("a principal sets any: false"),
        Principal.IdentifierOneofCase.AndIds => new All(principal.AndIds.Ids.Select(Compile).ToArray()),
        Principal.IdentifierOneofCase.OrIds => new AnyOf(principal.OrIds.Ids.Select(Compile).ToArray()),
        Principal.IdentifierOneofCase.NotId => new Not(Compile(principal.NotId)),
        Principal.IdentifierOneofCase.Authenticated => new Authenticated(principal.Authenticated.PrincipalName is { } name ? StringMatch.Compile(name) : null),
        Principal.IdentifierOneofCase.SourceIp => new Address(CidrRange.Compile(principal.SourceIp), static i => i.DirectRemoteAddress),
        Principal.IdentifierOneofCase.DirectRemoteIp => new Address(CidrRange.Compile(principal.DirectRemoteIp), static i => i.DirectRemoteAddress),
        Principal.IdentifierOneofCase.RemoteIp => new Address(CidrRange.Compile(principal.RemoteIp), static i => i.RemoteAddress),
        Principal.IdentifierOneofCase.Header => new Header(HeaderMatch.Compile(principal.Header)),
        Principal.IdentifierOneofCase.UrlPath => new UrlPath(UrlPathMatch.Compile(principal.UrlPath)),
        Principal.IdentifierOneofCase.Metadata => new Metadata(MetadataValueMatch.Compile(principal.Metadata)),
        Principal.IdentifierOneofCase.FilterState => FilterState(principal.FilterState),
        Principal.IdentifierOneofCase.None => throw new XdsRejectedException("a principal sets no identifier"),
        _ => throw new XdsRejectedException($"RBAC principal {principal.IdentifierCase} is not supported"),
    };

    private static FilterStateMatch FilterState(Weft.Xds.Envoy.Type.Matcher.V3.FilterStateMatcher matcher) =>
        matcher.MatcherCase == Weft.Xds.Envoy.Type.Matcher.V3.FilterStateMatcher.MatcherOneofCase.StringMatch
            ? new FilterStateMatch(matcher.Key, StringMatch.Compile(matcher.StringMatch))
            : throw new XdsRejectedException($"the filter state matcher for {matcher.Key} sets no string_match");

    private sealed class Always : PrincipalMatch
    {
        public static readonly Always Instance = new();

        public override bool Matches(AuthorizationInput input) => true;
    }

    private sealed class All(PrincipalMatch[] ids) : PrincipalMatch
    {
        public override bool Matches(AuthorizationInput input)
        {
            foreach (var id in ids)
            {
                if (!id.Matches(input))
                {
                    return false;
                }
            }

            return true;
        }
    }

    private sealed class AnyOf(PrincipalMatch[] ids) : PrincipalMatch
    {
        public override bool Matches(AuthorizationInput input)
        {
            foreach (var id in ids)
            {
                if (id.Matches(input))
                {
                    return true;
                }
            }

            return false;
        }
    }

    private sealed class Not(PrincipalMatch id) : PrincipalMatch
    {
        public override bool Matches(AuthorizationInput input) => !id.Matches(input);
    }

    private sealed class Authenticated(StringMatch? name) : PrincipalMatch
    {
        public override bool Matches(AuthorizationInput input)
        {
            if (input.Peer is not { } peer)
            {
                return false;
            }

            if (name is null)
            {
                return true;
            }

            foreach (var uri in peer.UriSans)
            {
                if (name.Matches(uri))
                {
                    return true;
                }
            }

            foreach (var dns in peer.DnsSans)
            {
                if (name.Matches(dns))
                {
                    return true;
                }
            }

            return name.Matches(peer.Subject);
        }
    }

    private sealed class Address(CidrRange range, Func<AuthorizationInput, IPAddress> address) : PrincipalMatch
    {
        public override bool Matches(AuthorizationInput input) => range.Contains(address(input));
    }

    private sealed class Header(HeaderMatch header) : PrincipalMatch
    {
        public override bool Matches(AuthorizationInput input) => header.Matches(input.Request?.Header(header.Name));
    }

    private sealed class UrlPath(UrlPathMatch path) : PrincipalMatch
    {
        public override bool Matches(AuthorizationInput input) => path.Matches(input.Request);
    }

    private sealed class Metadata(MetadataValueMatch metadata) : PrincipalMatch
    {
        public override bool Matches(AuthorizationInput input) => metadata.Matches(input.Metadata);
    }

    private sealed class FilterStateMatch(string key, StringMatch value) : PrincipalMatch
    {
        public override bool Matches(AuthorizationInput input) =>
            input.FilterState is { } state && state.TryGetValue(key, out var text) && value.Matches(text);
    }
}
