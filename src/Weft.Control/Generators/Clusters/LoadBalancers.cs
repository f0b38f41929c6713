using Weft.Api.Model.Networking;
using Weft.Xds.Envoy.Config.Cluster.V3;
using Weft.Xds.Envoy.Config.Core.V3;
using Percent = Weft.Xds.Envoy.Type.V3.Percent;

namespace Weft.Control.Generators.Clusters;

/// <summary>
/// DestinationRule <c>loadBalancer</c> on a sidecar or gateway cluster (Istio's applyLoadBalancer): the simple policy
/// (LEAST_REQUEST by default, LEAST_CONN its old name), slow start for round robin and least request, and consistent
/// hashing, which overrides the simple policy. Locality settings are applied separately (see
/// <see cref="Endpoints.LocalityLoadBalancing"/>).
/// </summary>
internal static class LoadBalancers
{
    /// <summary>Envoy's ring size when the deprecated <c>minimumRingSize</c> is unset.</summary>
    public const ulong DefaultMinimumRingSize = 1024;

    // Istio writes this runtime key so the aggression cannot be overridden at runtime.
    private const string FixedRuntimeKey = "(";
    private const double DefaultAggression = 1;
    private const double DefaultMinimumPercent = 10;

    public static void Apply(Cluster cluster, LoadBalancerSettings? lb)
    {
        switch (lb?.Simple)
        {
            case "LEAST_CONN" or "LEAST_REQUEST":
                LeastRequest(cluster, lb);
                break;
            case "RANDOM":
                cluster.LbPolicy = Cluster.Types.LbPolicy.Random;
                break;
            case "ROUND_ROBIN":
                cluster.LbPolicy = Cluster.Types.LbPolicy.RoundRobin;
                if (SlowStart(lb) is { } roundRobinWarmup)
                {
                    cluster.RoundRobinLbConfig = new Cluster.Types.RoundRobinLbConfig { SlowStartConfig = roundRobinWarmup };
                }

                break;
            case "PASSTHROUGH":
                // Connect where the caller asked; a STATIC service's endpoints no longer matter.
                cluster.LbPolicy = Cluster.Types.LbPolicy.ClusterProvided;
                cluster.Type = Cluster.Types.DiscoveryType.OriginalDst;
                cluster.LoadAssignment = null;
                break;
            default:
                LeastRequest(cluster, lb);
                break;
        }

        ApplyConsistentHash(cluster, lb?.ConsistentHash);
    }

    private static void LeastRequest(Cluster cluster, LoadBalancerSettings? lb)
    {
        cluster.LbPolicy = Cluster.Types.LbPolicy.LeastRequest;
        if (SlowStart(lb) is { } warmup)
        {
            cluster.LeastRequestLbConfig = new Cluster.Types.LeastRequestLbConfig { SlowStartConfig = warmup };
        }
    }

    /// <summary>
    /// Ring hash or maglev (Istio's ApplyRingHashLoadBalancer). A sized ringHash or maglev writes its size; neither
    /// given means the deprecated top-level <c>minimumRingSize</c>, defaulting to Envoy's 1024.
    /// </summary>
    public static void ApplyConsistentHash(Cluster cluster, ConsistentHashLB? hash)
    {
        if (hash is null)
        {
            return;
        }

        if (hash.Maglev is { } maglev)
        {
            cluster.LbPolicy = Cluster.Types.LbPolicy.Maglev;
            if (maglev.TableSize is > 0 and var size)
            {
                cluster.MaglevLbConfig = new Cluster.Types.MaglevLbConfig { TableSize = (ulong)size };
            }
        }
        else if (hash.RingHash is { } ring)
        {
            cluster.LbPolicy = Cluster.Types.LbPolicy.RingHash;
            if (ring.MinimumRingSize is > 0 and var size)
            {
                cluster.RingHashLbConfig = new Cluster.Types.RingHashLbConfig { MinimumRingSize = (ulong)size };
            }
        }
        else
        {
            cluster.LbPolicy = Cluster.Types.LbPolicy.RingHash;
            cluster.RingHashLbConfig = new Cluster.Types.RingHashLbConfig
            {
                MinimumRingSize = hash.MinimumRingSize is > 0 and var size ? (ulong)size : DefaultMinimumRingSize,
            };
        }
    }

    /// <summary>
    /// Slow start (<c>warmup</c>, else the deprecated <c>warmupDurationSecs</c>): new endpoints get a share of traffic
    /// that grows over the window. Istio fills in a linear ramp (aggression 1) from 10% when unset.
    /// </summary>
    private static Cluster.Types.SlowStartConfig? SlowStart(LoadBalancerSettings? lb)
    {
        if (lb?.Warmup is { } warmup)
        {
            return new Cluster.Types.SlowStartConfig
            {
                SlowStartWindow = PolicyDurations.Parse(warmup.Duration),
                Aggression = new RuntimeDouble { DefaultValue = warmup.Aggression ?? DefaultAggression, RuntimeKey = FixedRuntimeKey },
                MinWeightPercent = new Percent { Value = warmup.MinimumPercent ?? DefaultMinimumPercent },
            };
        }

        return PolicyDurations.Parse(lb?.WarmupDurationSecs) is { } window
            ? new Cluster.Types.SlowStartConfig { SlowStartWindow = window }
            : null;
    }
}
