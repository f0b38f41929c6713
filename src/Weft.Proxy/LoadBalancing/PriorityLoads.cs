namespace Weft.Proxy.LoadBalancing;

/// <summary>
/// How Envoy shares requests between priority levels. A level's healthy (and degraded) availability is its share of
/// healthy (degraded) hosts times the overprovisioning factor, capped at 100; load goes to healthy hosts level by level
/// in proportion to availability (normalized when the levels add up to less than 100), what is left to degraded hosts,
/// and rounding leftovers to the first available level. A level panics (balances over all its hosts) when the levels
/// together are short of 100 and its healthy and degraded share is below the panic threshold; when every level panics,
/// load follows the number of hosts instead. Panic threshold 0: never panic, and with nothing available level 0 gets
/// everything (and finds no host).
/// </summary>
internal sealed class PriorityLoads
{
    private PriorityLoads(int[] healthy, int[] degraded, bool[] panic)
    {
        Healthy = healthy;
        Degraded = degraded;
        Panic = panic;
    }

    /// <summary>Each level's percent of requests for its healthy hosts.</summary>
    public int[] Healthy { get; }

    /// <summary>Each level's percent of requests for its degraded hosts.</summary>
    public int[] Degraded { get; }

    public bool[] Panic { get; }

    /// <summary>Hosts of one level: in all, and how many are healthy and degraded now.</summary>
    public readonly record struct Counts(int Total, int Healthy, int Degraded);

    public static PriorityLoads Compute(IReadOnlyList<Counts> levels, uint overprovisioning, double panicThreshold)
    {
        var n = levels.Count;
        var healthy = new int[n];
        var degraded = new int[n];
        var panic = new bool[n];
        if (n == 0)
        {
            return new PriorityLoads(healthy, degraded, panic);
        }

        var (healthAvailability, degradedAvailability) = Availability(levels, overprovisioning, excluded: []);
        var total = Math.Min(100, healthAvailability.Sum() + degradedAvailability.Sum());
        if (total > 0)
        {
            var rest = Share(degraded, degradedAvailability, Share(healthy, healthAvailability, 100, total), total);
            if (rest > 0)
            {
                // What rounding leaves goes to the first level with healthy availability, else with degraded.
                var firstHealthy = Array.FindIndex(healthAvailability, a => a > 0);
                if (firstHealthy >= 0)
                {
                    healthy[firstHealthy] += rest;
                }
                else
                {
                    degraded[Array.FindIndex(degradedAvailability, a => a > 0)] += rest;
                }
            }
        }

        if (panicThreshold <= 0 && total == 0)
        {
            healthy[0] = 100;
            return new PriorityLoads(healthy, degraded, panic);
        }

        var totalPanic = true;
        for (var i = 0; i < n; i++)
        {
            var available = levels[i].Total == 0 ? 0.0 : 100.0 * (levels[i].Healthy + levels[i].Degraded) / levels[i].Total;
            panic[i] = total != 100 && available < panicThreshold;
            totalPanic &= panic[i];
        }

        if (totalPanic)
        {
            LoadByHosts(levels, healthy, degraded);
        }

        return new PriorityLoads(healthy, degraded, panic);
    }

    /// <summary>
    /// The loads for a retry that skips the levels already tried (Envoy's <c>previous_priorities</c> retry priority):
    /// each remaining level's healthy and degraded availability as in <see cref="Compute"/>, excluded levels none, the
    /// 100 shared out in level order in proportion to availability, and what rounding leaves shared again the same
    /// way. Which levels panic stays as <paramref name="panic"/> says. Null when no level is left with availability.
    /// </summary>
    public static PriorityLoads? Excluding(IReadOnlyList<Counts> levels, uint overprovisioning, IReadOnlyList<bool> excluded, bool[] panic)
    {
        var n = levels.Count;
        var (healthAvailability, degradedAvailability) = Availability(levels, overprovisioning, excluded);
        var total = Math.Min(100, healthAvailability.Sum() + degradedAvailability.Sum());
        if (total == 0)
        {
            return null;
        }

        var healthy = new int[n];
        var degraded = new int[n];
        var left = 100;
        while (left > 0)
        {
            // Every level with availability takes at least one point a round (availability * 100 >= total), so the
            // rounds end.
            left = Share(healthy, healthAvailability, left, total);
            left = Share(degraded, degradedAvailability, left, total);
        }

        return new PriorityLoads(healthy, degraded, panic);
    }

    /// <summary>The level (and whether its degraded hosts) a value picks: <c>value % 100 + 1</c> against the loads in order.</summary>
    public (int Level, bool Degraded) Choose(ulong value)
    {
        var point = (int)(value % 100) + 1;
        var sum = 0;
        for (var i = 0; i < Healthy.Length; i++)
        {
            sum += Healthy[i];
            if (point <= sum)
            {
                return (i, false);
            }
        }

        for (var i = 0; i < Degraded.Length; i++)
        {
            sum += Degraded[i];
            if (point <= sum)
            {
                return (i, true);
            }
        }

        return (0, false);
    }

    /// <summary>Each level's healthy and degraded availability: its share of such hosts times overprovisioning, capped at 100; 0 for excluded levels.</summary>
    private static (int[] Healthy, int[] Degraded) Availability(IReadOnlyList<Counts> levels, uint overprovisioning, IReadOnlyList<bool> excluded)
    {
        var healthy = new int[levels.Count];
        var degraded = new int[levels.Count];
        for (var i = 0; i < levels.Count; i++)
        {
            if (levels[i].Total > 0 && !(i < excluded.Count && excluded[i]))
            {
                healthy[i] = (int)Math.Min(100, overprovisioning * (ulong)levels[i].Healthy / (ulong)levels[i].Total);
                degraded[i] = (int)Math.Min(100, overprovisioning * (ulong)levels[i].Degraded / (ulong)levels[i].Total);
            }
        }

        return (healthy, degraded);
    }

    /// <summary>Adds to each level its proportional part of what is left (in level order, as far as it goes); what rounding leaves.</summary>
    private static int Share(int[] load, int[] availability, int left, int total)
    {
        for (var i = 0; i < load.Length; i++)
        {
            var delta = Math.Min(left, availability[i] * 100 / total);
            load[i] += delta;
            left -= delta;
        }

        return left;
    }

    private static void LoadByHosts(IReadOnlyList<Counts> levels, int[] healthy, int[] degraded)
    {
        Array.Clear(degraded);
        var hosts = levels.Sum(l => l.Total);
        if (hosts == 0)
        {
            Array.Clear(healthy);
            healthy[0] = 100;
            return;
        }

        var left = 100;
        var first = -1;
        for (var i = 0; i < healthy.Length; i++)
        {
            if (first < 0 && levels[i].Total > 0)
            {
                first = i;
            }

            healthy[i] = 100 * levels[i].Total / hosts;
            left -= healthy[i];
        }

        healthy[first] += left;
    }
}
