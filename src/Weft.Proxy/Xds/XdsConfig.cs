using System.Collections.Frozen;
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

    /// <summary>The SDS secrets TLS contexts named with an ADS source, and those received.</summary>
    public XdsTypeView Secrets { get; init; } = XdsTypeView.Empty(TypeUrls.Secret);

    /// <summary>
    /// Until when each subscribed secret is waited for (its first subscription plus the <c>initial_fetch_timeout</c>,
    /// Envoy's 15 s by default); a secret not listed (timeout 0) is waited for as long as it takes.
    /// </summary>
    public FrozenDictionary<string, DateTimeOffset> SecretDeadlines { get; init; } = FrozenDictionary<string, DateTimeOffset>.Empty;

    /// <summary>
    /// The secrets still awaited at <paramref name="now"/>: subscribed, not received, and within their deadline. A listener
    /// or cluster that needs one warms (is held back) meanwhile; past the deadline it goes ahead without it and its TLS
    /// handshakes fail, as Envoy's do.
    /// </summary>
    public IReadOnlyList<string> PendingSecrets(DateTimeOffset now) => Secrets.Names
        .Where(n => !Secrets.Resources.ContainsKey(n) && (!SecretDeadlines.TryGetValue(n, out var deadline) || now < deadline))
        .Order(StringComparer.Ordinal)
        .ToList();

    /// <summary>
    /// What keeps the configuration from being complete, as phrases for a health answer; empty when complete. Complete
    /// means: clusters and listeners received, the endpoints of every EDS cluster received, every route configuration
    /// the listeners name received (Envoy's cluster and listener warming), and, when <paramref name="now"/> is given,
    /// every SDS secret still awaited then received.
    /// </summary>
    public IReadOnlyList<string> Missing(DateTimeOffset? now = null) => Missing(now is { } at ? PendingSecrets(at) : []);

    /// <summary><see cref="Missing(DateTimeOffset?)"/> with the secrets still awaited already known.</summary>
    public IReadOnlyList<string> Missing(IReadOnlyList<string> pendingSecrets)
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

        if (pendingSecrets.Count > 0)
        {
            missing.Add($"secret(s) (SDS) not received: {Shown(pendingSecrets.ToList())}");
        }

        return missing;
    }

    private static string Shown(List<string> names) =>
        string.Join(", ", names.Take(NamesShown)) + (names.Count > NamesShown ? $" and {names.Count - NamesShown} more" : string.Empty);
}
