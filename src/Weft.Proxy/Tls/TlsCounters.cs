namespace Weft.Proxy.Tls;

/// <summary>
/// Counts of TLS handshakes, as Envoy's <c>ssl.*</c> stats: upstream (per cluster) and downstream (per listener)
/// handshakes made and failed, shown on <c>/stats/prometheus</c>.
/// </summary>
internal sealed class TlsCounters
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<(string Scope, string Name, string Stat), long[]> _counts = new();

    public void Upstream(string cluster, string stat) => Add("cluster", cluster, stat);

    public void Downstream(string listener, string stat) => Add("listener", listener, stat);

    public long Get(string scope, string name, string stat) => _counts.TryGetValue((scope, name, stat), out var c) ? Volatile.Read(ref c[0]) : 0;

    /// <summary>Envoy's names: <c>envoy_cluster_ssl_handshake{cluster_name=...}</c>, <c>envoy_listener_ssl_connection_error{...}</c>.</summary>
    public void Render(System.Text.StringBuilder text)
    {
        foreach (var group in _counts.OrderBy(c => c.Key.Scope, StringComparer.Ordinal).ThenBy(c => c.Key.Stat, StringComparer.Ordinal).ThenBy(c => c.Key.Name, StringComparer.Ordinal).GroupBy(c => (c.Key.Scope, c.Key.Stat)))
        {
            var metric = $"envoy_{group.Key.Scope}_ssl_{group.Key.Stat}";
            text.Append("# TYPE ").Append(metric).Append(" counter\n");
            var label = group.Key.Scope == "cluster" ? "cluster_name" : "listener_address";
            foreach (var entry in group)
            {
                text.Append(metric).Append('{').Append(label).Append("=\"").Append(entry.Key.Name.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)).Append("\"} ")
                    .Append(Volatile.Read(ref entry.Value[0]).ToString(System.Globalization.CultureInfo.InvariantCulture)).Append('\n');
            }
        }
    }

    private void Add(string scope, string name, string stat) => Interlocked.Increment(ref _counts.GetOrAdd((scope, name, stat), static _ => new long[1])[0]);
}
