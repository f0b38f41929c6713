using Weft.Xds.Envoy.Config.Core.V3;

namespace Weft.Control.Generators.Endpoints;

/// <summary>Istio's locality strings (<c>region/zone/subzone</c>) and how they compare.</summary>
internal static class Localities
{
    /// <summary>Splits <c>region/zone/subzone</c>; missing parts are empty, anything after a third slash is ignored.</summary>
    public static Locality Parse(string locality)
    {
        var parts = locality.Split('/');
        return new Locality
        {
            Region = parts[0],
            Zone = parts.Length > 1 ? parts[1] : string.Empty,
            SubZone = parts.Length > 2 ? parts[2] : string.Empty,
        };
    }

    /// <summary>
    /// Whether a locality falls under a rule's locality (a <c>distribute</c> from/to): <c>*</c> matches any part, and a
    /// rule that stops early (<c>us-east</c>, <c>us-east/zone1</c>) matches every zone or subzone below it.
    /// </summary>
    public static bool Matches(Locality locality, string rule)
    {
        var pattern = Parse(rule);
        return (pattern.Region == "*" || pattern.Region == locality.Region)
            && (pattern.Zone is "*" or "" || pattern.Zone == locality.Zone)
            && (pattern.SubZone is "*" or "" || pattern.SubZone == locality.SubZone);
    }

    /// <summary>How far an endpoint's locality is from the proxy's: 0 same subzone, 1 same zone, 2 same region, 3 elsewhere.</summary>
    public static int Proximity(Locality proxy, Locality endpoint) =>
        proxy.Region != endpoint.Region ? 3
        : proxy.Zone != endpoint.Zone ? 2
        : proxy.SubZone != endpoint.SubZone ? 1
        : 0;
}
