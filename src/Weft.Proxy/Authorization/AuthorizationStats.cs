using System.Text;
using Weft.Proxy.Snapshot;
using Weft.Proxy.Snapshot.Listeners;

namespace Weft.Proxy.Authorization;

/// <summary>
/// The RBAC counters of the configuration in force, in Prometheus text as <c>weft_rbac_total{stat="…"}</c> where the
/// label is Envoy's stat name (e.g. <c>http.inbound_0.0.0.0_8080;.rbac.istio_dry_run_allow_shadow_denied</c>, what
/// Istio's dry-run guide tells users to read); counters of chains with the same stat name add up. The jwt_authn
/// counters follow as <c>weft_jwt_authn_total{stat="http.PREFIX.jwt_authn.denied"}</c>.
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
        var jwt = new SortedDictionary<string, long>(StringComparer.Ordinal);
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

            if (chain.Action is HttpChain { Manager.Authorization: { } authorization })
            {
                foreach (var (name, value) in authorization.JwtCounters.SelectMany(c => c.Values()))
                {
                    jwt[name] = jwt.GetValueOrDefault(name) + value;
                }
            }
        }

        Write(text, "weft_rbac_total", totals);
        Write(text, "weft_jwt_authn_total", jwt);
    }

    private static void Write(StringBuilder text, string metric, SortedDictionary<string, long> totals)
    {
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
