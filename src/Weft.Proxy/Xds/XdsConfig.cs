using Weft.Xds;

namespace Weft.Proxy.Xds;

/// <summary>Everything the xDS client has accepted, per type, as one immutable value handed to the snapshot builder.</summary>
internal sealed record XdsConfig(XdsTypeView Clusters, XdsTypeView Endpoints, XdsTypeView Listeners, XdsTypeView Routes)
{
    private const int NamesShown = 3;

    public static XdsConfig Empty { get; } = new(
        XdsTypeView.Empty(TypeUrls.Cluster),
        XdsTypeView.Empty(TypeUrls.ClusterLoadAssignment),
        XdsTypeView.Empty(TypeUrls.Listener),
        XdsTypeView.Empty(TypeUrls.RouteConfiguration));

    /// <summary>
    /// What keeps the configuration from being complete, as phrases for a health answer; empty when complete. Complete
    /// means: clusters and listeners received, the endpoints of every EDS cluster received, and every route configuration
    /// the listeners name received (Envoy's cluster and listener warming).
    /// </summary>
    public IReadOnlyList<string> Missing()
    {
        var missing = new List<string>();
        if (!Clusters.Received)
        {
            missing.Add("no clusters (CDS) yet");
        }

        var endpoints = Endpoints.Names.Where(n => !Endpoints.Resources.ContainsKey(n)).Order(StringComparer.Ordinal).ToList();
        if (endpoints.Count > 0)
        {
            missing.Add($"endpoints (EDS) of {endpoints.Count} cluster(s) not received: {Shown(endpoints)}");
        }

        if (!Listeners.Received)
        {
            missing.Add("no listeners (LDS) yet");
        }

        var routes = Routes.Names.Where(n => !Routes.Resources.ContainsKey(n)).Order(StringComparer.Ordinal).ToList();
        if (routes.Count > 0)
        {
            missing.Add($"route configuration(s) (RDS) not received: {Shown(routes)}");
        }

        return missing;
    }

    private static string Shown(List<string> names) =>
        string.Join(", ", names.Take(NamesShown)) + (names.Count > NamesShown ? $" and {names.Count - NamesShown} more" : string.Empty);
}
