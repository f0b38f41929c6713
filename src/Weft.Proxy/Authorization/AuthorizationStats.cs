using System.Text;
using Weft.Proxy.Snapshot;
using Weft.Proxy.Snapshot.Listeners;

namespace Weft.Proxy.Authorization;

/// <summary>
/// The RBAC counters of the configuration in force, in Prometheus text as <c>weft_rbac_total{stat="…"}</c> where the
/// label is Envoy's stat name (e.g. <c>http.inbound_0.0.0.0_8080;.rbac.istio_dry_run_allow_shadow_denied</c>, what
/// Istio's dry-run guide tells users to read); counters of chains with the same stat name add up.
/// </summary>
internal static class AuthorizationStats
{
    public static void Render(StringBuilder text, ProxySnapshot? snapshot)
    {
        if (snapshot is null)
        {
            return;
        }

        var totals = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (var chain in snapshot.Listeners.SelectMany(l => l.DefaultChain is { } d ? l.Chains.Append(d) : l.Chains))
        {
            var counters = chain.Action switch
            {
                HttpChain http => (http.Manager.Authorization?.Counters ?? []).Concat(http.Authorization?.Counters ?? []),
                TcpChain tcp => tcp.Authorization?.Counters ?? [],
                _ => [],
            };
            foreach (var (name, value) in counters.SelectMany(c => c.Values()))
            {
                totals[name] = totals.GetValueOrDefault(name) + value;
            }
        }

        if (totals.Count == 0)
        {
            return;
        }

        text.Append("# TYPE weft_rbac_total counter\n");
        foreach (var (name, value) in totals)
        {
            text.Append("weft_rbac_total{stat=\"").Append(name.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)).Append("\"} ").Append(value).Append('\n');
        }
    }
}
