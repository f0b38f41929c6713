using Weft.Proxy.Xds;
using Weft.Xds.Envoy.Config.Cluster.V3;
using LbPolicy = Weft.Xds.Envoy.Config.Cluster.V3.Cluster.Types.LbPolicy;

namespace Weft.Proxy.Snapshot.Clusters;

/// <summary>
/// Compiles a cluster's <c>lb_policy</c> and its policy config, refusing what Envoy refuses (a Maglev table size that is
/// not prime, a ring whose minimum exceeds its maximum) and what this proxy does not do: typed load-balancer extensions,
/// MurmurHash2 rings, bounded-load hashing (<c>hash_balance_factor</c>). Round robin and least request take slow start.
/// </summary>
internal static class BalancerCompiler
{
    /// <summary>Envoy's cap on Maglev table sizes.</summary>
    private const ulong MaxMaglevTableSize = 5000011;

    public static BalancerSettings Compile(Cluster cluster)
    {
        if (cluster.LoadBalancingPolicy is not null || cluster.LbPolicy == LbPolicy.LoadBalancingPolicyConfig)
        {
            throw new XdsRejectedException("load_balancing_policy (typed load-balancer extensions) is not supported; set lb_policy");
        }

        var hashing = cluster.CommonLbConfig?.ConsistentHashingLbConfig;
        if (hashing?.HashBalanceFactor is > 0)
        {
            throw new XdsRejectedException("consistent_hashing_lb_config.hash_balance_factor (bounded-load hashing) is not supported");
        }

        var byHostname = hashing?.UseHostnameForHashing ?? false;
        var config = cluster.LbConfigCase;
        var settings = cluster.LbPolicy switch
        {
            LbPolicy.RoundRobin => Expect(config, Cluster.LbConfigOneofCase.RoundRobinLbConfig, "ROUND_ROBIN", SlowStart(cluster.RoundRobinLbConfig?.SlowStartConfig) is { } warmup ? BalancerSettings.RoundRobin with { SlowStart = warmup } : BalancerSettings.RoundRobin),
            LbPolicy.Random => Expect(config, Cluster.LbConfigOneofCase.None, "RANDOM", new BalancerSettings { Kind = BalancerKind.Random }),
            LbPolicy.LeastRequest => Expect(config, Cluster.LbConfigOneofCase.LeastRequestLbConfig, "LEAST_REQUEST", LeastRequest(cluster.LeastRequestLbConfig)),
            LbPolicy.RingHash => Expect(config, Cluster.LbConfigOneofCase.RingHashLbConfig, "RING_HASH", RingHash(cluster.RingHashLbConfig, byHostname)),
            LbPolicy.Maglev => Expect(config, Cluster.LbConfigOneofCase.MaglevLbConfig, "MAGLEV", Maglev(cluster.MaglevLbConfig, byHostname)),
            LbPolicy.ClusterProvided => new BalancerSettings { Kind = BalancerKind.ClusterProvided },
            var other => throw new XdsRejectedException($"lb_policy {other} is not known"),
        };
        return settings;
    }

    /// <summary>A policy's own config, or none; another policy's config is a mistake Envoy reports.</summary>
    private static BalancerSettings Expect(Cluster.LbConfigOneofCase actual, Cluster.LbConfigOneofCase expected, string policy, BalancerSettings settings)
    {
        if (actual != Cluster.LbConfigOneofCase.None && actual != expected && actual != Cluster.LbConfigOneofCase.OriginalDstLbConfig)
        {
            throw new XdsRejectedException($"{Snake(actual)} does not go with lb_policy {policy}");
        }

        return settings;
    }

    private static BalancerSettings LeastRequest(Cluster.Types.LeastRequestLbConfig? config)
    {
        var choices = config?.ChoiceCount ?? 2;
        if (choices < 2)
        {
            throw new XdsRejectedException($"least_request_lb_config.choice_count must be at least 2, not {choices}");
        }

        double? bias = config?.ActiveRequestBias is { } runtime ? runtime.DefaultValue : null;
        if (bias is < 0 or double.NaN)
        {
            throw new XdsRejectedException($"least_request_lb_config.active_request_bias must not be negative, not {bias}");
        }

        return new BalancerSettings { Kind = BalancerKind.LeastRequest, ChoiceCount = (int)Math.Min(choices, 1024), ActiveRequestBias = bias, SlowStart = SlowStart(config?.SlowStartConfig) };
    }

    /// <summary>Slow start with Envoy's defaults (aggression 1, 10% minimum weight); null when off (no window, or zero).</summary>
    private static SlowStartSettings? SlowStart(Cluster.Types.SlowStartConfig? config)
    {
        if (config?.SlowStartWindow is not { } window || window.ToTimeSpan() <= TimeSpan.Zero)
        {
            return null;
        }

        var aggression = config.Aggression?.DefaultValue ?? 1.0;
        if (aggression <= 0 || double.IsNaN(aggression) || double.IsInfinity(aggression))
        {
            throw new XdsRejectedException($"slow_start_config.aggression must be greater than 0, not {aggression}");
        }

        var minimum = config.MinWeightPercent?.Value ?? SlowStartSettings.DefaultMinimumWeight * 100;
        if (minimum is < 0 or > 100 || double.IsNaN(minimum))
        {
            throw new XdsRejectedException($"slow_start_config.min_weight_percent must be between 0 and 100, not {minimum}");
        }

        return new SlowStartSettings(window.ToTimeSpan(), aggression, minimum / 100);
    }

    private static BalancerSettings RingHash(Cluster.Types.RingHashLbConfig? config, bool byHostname)
    {
        if (config?.HashFunction == Cluster.Types.RingHashLbConfig.Types.HashFunction.MurmurHash2)
        {
            throw new XdsRejectedException("ring_hash_lb_config.hash_function MURMUR_HASH_2 is not supported (only XX_HASH)");
        }

        var minimum = config?.MinimumRingSize ?? BalancerSettings.DefaultMinimumRingSize;
        var maximum = config?.MaximumRingSize ?? BalancerSettings.DefaultMaximumRingSize;
        if (minimum > BalancerSettings.DefaultMaximumRingSize || maximum > BalancerSettings.DefaultMaximumRingSize)
        {
            throw new XdsRejectedException($"ring sizes are at most {BalancerSettings.DefaultMaximumRingSize}");
        }

        if (minimum > maximum)
        {
            throw new XdsRejectedException($"ring hash: minimum_ring_size ({minimum}) > maximum_ring_size ({maximum})");
        }

        return new BalancerSettings { Kind = BalancerKind.RingHash, MinimumRingSize = Math.Max(1, minimum), MaximumRingSize = Math.Max(1, maximum), UseHostnameForHashing = byHostname };
    }

    private static BalancerSettings Maglev(Cluster.Types.MaglevLbConfig? config, bool byHostname)
    {
        var size = config?.TableSize ?? BalancerSettings.DefaultMaglevTableSize;
        if (size > MaxMaglevTableSize)
        {
            throw new XdsRejectedException($"the Maglev table size {size} is above {MaxMaglevTableSize}");
        }

        if (!IsPrime(size))
        {
            throw new XdsRejectedException($"the Maglev table size must be a prime number, not {size}");
        }

        return new BalancerSettings { Kind = BalancerKind.Maglev, MaglevTableSize = size, UseHostnameForHashing = byHostname };
    }

    internal static bool IsPrime(ulong n)
    {
        if (n < 2)
        {
            return false;
        }

        for (ulong d = 2; d * d <= n; d++)
        {
            if (n % d == 0)
            {
                return false;
            }
        }

        return true;
    }

    private static string Snake(Cluster.LbConfigOneofCase config) => config switch
    {
        Cluster.LbConfigOneofCase.RingHashLbConfig => "ring_hash_lb_config",
        Cluster.LbConfigOneofCase.MaglevLbConfig => "maglev_lb_config",
        Cluster.LbConfigOneofCase.LeastRequestLbConfig => "least_request_lb_config",
        Cluster.LbConfigOneofCase.RoundRobinLbConfig => "round_robin_lb_config",
        _ => config.ToString(),
    };
}
