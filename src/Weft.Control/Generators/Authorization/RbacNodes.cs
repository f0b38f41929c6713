using System.Net;
using Weft.Api.GoCompat;
using Weft.Xds.Envoy.Config.Core.V3;
using Weft.Xds.Envoy.Config.Rbac.V3;
using Weft.Xds.Envoy.Config.Route.V3;
using Weft.Xds.Envoy.Type.Matcher.V3;

namespace Weft.Control.Generators.Authorization;

/// <summary>Constructors for the RBAC permission and principal trees.</summary>
internal static class RbacNodes
{
    public static Permission AnyPermission() => new() { Any = true };

    public static Permission And(IEnumerable<Permission> rules)
    {
        var set = new Permission.Types.Set();
        set.Rules.AddRange(rules);
        return new Permission { AndRules = set };
    }

    public static Permission Or(IEnumerable<Permission> rules)
    {
        var set = new Permission.Types.Set();
        set.Rules.AddRange(rules);
        return new Permission { OrRules = set };
    }

    public static Permission Not(Permission rule) => new() { NotRule = rule };

    public static Principal AnyPrincipal() => new() { Any = true };

    public static Principal And(IEnumerable<Principal> ids)
    {
        var set = new Principal.Types.Set();
        set.Ids.AddRange(ids);
        return new Principal { AndIds = set };
    }

    public static Principal Or(IEnumerable<Principal> ids)
    {
        var set = new Principal.Types.Set();
        set.Ids.AddRange(ids);
        return new Principal { OrIds = set };
    }

    public static Principal Not(Principal id) => new() { NotId = id };

    /// <summary>
    /// The peer's identity (its certificate's URI SAN) matched by <paramref name="name"/>. Waypoints read it from the
    /// filter state the HBONE tunnel left instead (<c>io.istio.peer_principal</c>).
    /// </summary>
    public static Principal Authenticated(StringMatcher name, bool useAuthenticated) => useAuthenticated
        ? new Principal { Authenticated = new Principal.Types.Authenticated { PrincipalName = name } }
        : new Principal { FilterState = new FilterStateMatcher { Key = "io.istio.peer_principal", StringMatch = name } };

    /// <summary>
    /// An address or CIDR block as Istio writes it: the address as given (host bits are not cleared) and its prefix
    /// length, /32 or /128 for a bare address; null with the reason when it is neither.
    /// </summary>
    public static Translated<CidrRange> Cidr(string text)
    {
        if (text.Length == 0)
        {
            return Translated<CidrRange>.Fail("empty address");
        }

        var slash = text.IndexOf('/', StringComparison.Ordinal);
        var error = slash >= 0 ? GoNetip.ParsePrefix(text) : GoNetip.ParseAddr(text);
        if (error is not null)
        {
            return Translated<CidrRange>.Fail(error);
        }

        var address = IPAddress.Parse(slash >= 0 ? text[..slash] : text);
        var bits = slash >= 0
            ? uint.Parse(text[(slash + 1)..], System.Globalization.CultureInfo.InvariantCulture)
            : address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32u : 128u;
        return Translated<CidrRange>.Of(new CidrRange { AddressPrefix = address.ToString(), PrefixLen = bits });
    }

    public static Permission Header(HeaderMatcher header) => new() { Header = header };

    public static Principal HeaderId(HeaderMatcher header) => new() { Header = header };
}
