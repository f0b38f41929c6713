using Weft.Xds.Envoy.Config.Cluster.V3;
using Percent = Weft.Xds.Envoy.Type.V3.Percent;
using PolicyOutlierDetection = Weft.Api.Model.Networking.OutlierDetection;

namespace Weft.Control.Generators.Clusters;

/// <summary>
/// DestinationRule <c>outlierDetection</c> as Istio's applyOutlierDetection writes it for Envoy. Fields the rule leaves
/// out keep Envoy's defaults (consecutive_5xx 5 enforced, gateway failures 5 not enforced, interval 10s, base ejection
/// 30s, 10% ejectable), except that success-rate ejection is always off and the panic threshold becomes the rule's
/// <c>minHealthPercent</c> (0, panic mode off, when unset).
/// </summary>
internal static class OutlierDetections
{
    private const uint Enforced = 100;

    /// <summary>Envoy's outlier detection for a rule's setting; null without one.</summary>
    public static OutlierDetection? For(PolicyOutlierDetection? rule)
    {
        if (rule is null)
        {
            return null;
        }

        var result = new OutlierDetection { EnforcingSuccessRate = 0 };

        // An explicit 0 writes 0 and enforces nothing: the user turned this check off.
        if (rule.Consecutive5xxErrors is { } consecutive5xx)
        {
            result.Consecutive5Xx = (uint)consecutive5xx;
            result.EnforcingConsecutive5Xx = consecutive5xx > 0 ? Enforced : 0;
        }

        if (rule.ConsecutiveGatewayErrors is { } gateway)
        {
            result.ConsecutiveGatewayFailure = (uint)gateway;
            result.EnforcingConsecutiveGatewayFailure = gateway > 0 ? Enforced : 0;
        }

        result.Interval = PolicyDurations.Parse(rule.Interval);
        result.BaseEjectionTime = PolicyDurations.Parse(rule.BaseEjectionTime);
        if (rule.MaxEjectionPercent is > 0 and var maxPercent)
        {
            result.MaxEjectionPercent = (uint)maxPercent;
        }

        if (rule.SplitExternalLocalOriginErrors == true)
        {
            result.SplitExternalLocalOriginErrors = true;
            if (rule.ConsecutiveLocalOriginFailures is > 0 and var local)
            {
                result.ConsecutiveLocalOriginFailure = (uint)local;
                result.EnforcingConsecutiveLocalOriginFailure = Enforced;
            }

            result.EnforcingLocalOriginSuccessRate = 0;
        }

        return result;
    }

    /// <summary>Sets outlier detection and, with it, the panic threshold (Istio writes it even when 0).</summary>
    public static void Apply(Cluster cluster, PolicyOutlierDetection? rule)
    {
        if (For(rule) is not { } detection)
        {
            return;
        }

        cluster.OutlierDetection = detection;
        cluster.CommonLbConfig ??= new Cluster.Types.CommonLbConfig();
        cluster.CommonLbConfig.HealthyPanicThreshold = new Percent { Value = rule!.MinHealthPercent ?? 0 };
    }
}
