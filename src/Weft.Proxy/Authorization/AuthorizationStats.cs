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

        var chains = snapshot.Listeners.SelectMany(l => l.DefaultChain is { } d ? l.Chains.Append(d) : l.Chains).ToArray();
        Render(text, "weft_rbac_total", chains.SelectMany(chain => chain.Action switch
        {
            HttpChain http => (http.Manager.Authorization?.Counters ?? []).Concat(http.Authorization?.Counters ?? []),
            TcpChain tcp => tcp.Authorization?.Counters ?? [],
            _ => [],
        }).SelectMany(c => c.Values()));
        Render(text, "weft_ext_authz_total", chains.SelectMany(chain => chain.Action switch
        {
            HttpChain http => (http.Manager.Authorization?.ExtAuthzCounters ?? []).Concat(http.Authorization?.ExtAuthzCounters ?? []),
            TcpChain tcp => tcp.Authorization?.ExtAuthzCounters ?? [],
            _ => [],
        }).SelectMany(c => c.Values()));
    }

    private static void Render(StringBuilder text, string metric, IEnumerable<(string Name, long Value)> counters)
    {
        var totals = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (var (name, value) in counters)
        {
            totals[name] = totals.GetValueOrDefault(name) + value;
        }

        if (totals.Count == 0)
        {
            return;
        }

        text.Append("# TYPE ").Append(metric).Append(" counter\n");
        foreach (var (name, value) in totals)
        {
            text.Append(metric).Append("{stat=\"").Append(name.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)).Append("\"} ").Append(value).Append('\n');
        }
    }
}
