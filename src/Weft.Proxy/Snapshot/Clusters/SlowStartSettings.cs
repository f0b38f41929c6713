namespace Weft.Proxy.Snapshot.Clusters;

/// <summary>
/// A cluster's <c>slow_start_config</c> (Istio's <c>warmup</c>): for <see cref="Window"/> after a host joins the
/// cluster its weight is scaled by <c>max(MinimumWeight, (time in the cluster / window)^(1 / Aggression))</c>.
/// </summary>
internal sealed record SlowStartSettings(TimeSpan Window, double Aggression, double MinimumWeight)
{
    /// <summary>Envoy's <c>min_weight_percent</c> when unset: 10%.</summary>
    public const double DefaultMinimumWeight = 0.1;

    /// <summary>The factor for a host that has been in the cluster for <paramref name="elapsed"/> (1 past the window).</summary>
    public double Factor(TimeSpan elapsed)
    {
        if (elapsed >= Window)
        {
            return 1.0;
        }

        var time = Math.Max(1.0, elapsed.TotalMilliseconds) / Window.TotalMilliseconds;
        var scaled = Aggression == 1.0 ? time : Math.Pow(time, 1.0 / Aggression);
        return Math.Max(MinimumWeight, scaled);
    }
}
