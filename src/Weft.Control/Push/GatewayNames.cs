namespace Weft.Control.Push;

/// <summary>
/// Completes a gateway reference the way Istio does for VirtualService and match-level <c>gateways</c>: <c>mesh</c>
/// stays; <c>NS/NAME</c> stays, with <c>./NAME</c> meaning the referrer's namespace; a short <c>NAME</c> is in the
/// referrer's namespace; the legacy <c>NAME.NS.svc.cluster.local</c> form means <c>NS/NAME</c>.
/// </summary>
internal static class GatewayNames
{
    public static string Resolve(string name, string ns)
    {
        if (name == VirtualServiceIndex.Mesh)
        {
            return name;
        }

        var slash = name.IndexOf('/', StringComparison.Ordinal);
        if (slash >= 0)
        {
            return name[..slash] == "." ? $"{ns}/{name[(slash + 1)..]}" : name;
        }

        var dot = name.IndexOf('.', StringComparison.Ordinal);
        if (dot < 0)
        {
            return $"{ns}/{name}";
        }

        var rest = name[(dot + 1)..];
        var next = rest.IndexOf('.', StringComparison.Ordinal);
        return $"{(next < 0 ? rest : rest[..next])}/{name[..dot]}";
    }
}
