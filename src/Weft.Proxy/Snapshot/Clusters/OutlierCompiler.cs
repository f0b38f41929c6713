using Google.Protobuf.WellKnownTypes;
using Weft.Proxy.Xds;
using Weft.Xds.Envoy.Config.Cluster.V3;

namespace Weft.Proxy.Snapshot.Clusters;

/// <summary>
/// Compiles <c>outlier_detection</c> with Envoy's defaults and its validation: a positive interval and base ejection
/// time, percentages up to 100, and a maximum ejection time no shorter than the base one.
/// </summary>
internal static class OutlierCompiler
{
    public static OutlierSettings? Compile(OutlierDetection? detection)
    {
        if (detection is null)
        {
            return null;
        }

        var defaults = new OutlierSettings();
        var interval = Positive(detection.Interval, "interval") ?? defaults.Interval;
        var baseTime = Positive(detection.BaseEjectionTime, "base_ejection_time") ?? defaults.BaseEjectionTime;
        var maxTime = Positive(detection.MaxEjectionTime, "max_ejection_time") ?? (baseTime > defaults.MaxEjectionTime ? baseTime : defaults.MaxEjectionTime);
        if (maxTime < baseTime)
        {
            throw new XdsRejectedException("outlier_detection.max_ejection_time cannot be smaller than base_ejection_time");
        }

        return new OutlierSettings
        {
            Interval = interval,
            BaseEjectionTime = baseTime,
            MaxEjectionTime = maxTime,
            MaxEjectionTimeJitter = detection.MaxEjectionTimeJitter?.ToTimeSpan() ?? TimeSpan.Zero,
            MaxEjectionPercent = Percent(detection.MaxEjectionPercent, "max_ejection_percent", defaults.MaxEjectionPercent),
            AlwaysEjectOneHost = detection.AlwaysEjectOneHost ?? false,
            Consecutive5xx = Count(detection.Consecutive5Xx, defaults.Consecutive5xx),
            EnforcingConsecutive5xx = Percent(detection.EnforcingConsecutive5Xx, "enforcing_consecutive_5xx", defaults.EnforcingConsecutive5xx),
            ConsecutiveGatewayFailure = Count(detection.ConsecutiveGatewayFailure, defaults.ConsecutiveGatewayFailure),
            EnforcingConsecutiveGatewayFailure = Percent(detection.EnforcingConsecutiveGatewayFailure, "enforcing_consecutive_gateway_failure", defaults.EnforcingConsecutiveGatewayFailure),
            SplitExternalLocalOriginErrors = detection.SplitExternalLocalOriginErrors,
            ConsecutiveLocalOriginFailure = Count(detection.ConsecutiveLocalOriginFailure, defaults.ConsecutiveLocalOriginFailure),
            EnforcingConsecutiveLocalOriginFailure = Percent(detection.EnforcingConsecutiveLocalOriginFailure, "enforcing_consecutive_local_origin_failure", defaults.EnforcingConsecutiveLocalOriginFailure),
            EnforcingSuccessRate = Percent(detection.EnforcingSuccessRate, "enforcing_success_rate", defaults.EnforcingSuccessRate),
            EnforcingLocalOriginSuccessRate = Percent(detection.EnforcingLocalOriginSuccessRate, "enforcing_local_origin_success_rate", defaults.EnforcingLocalOriginSuccessRate),
            SuccessRateMinimumHosts = Count(detection.SuccessRateMinimumHosts, defaults.SuccessRateMinimumHosts),
            SuccessRateRequestVolume = Count(detection.SuccessRateRequestVolume, defaults.SuccessRateRequestVolume),
            SuccessRateStdevFactor = Count(detection.SuccessRateStdevFactor, defaults.SuccessRateStdevFactor),
            FailurePercentageThreshold = Percent(detection.FailurePercentageThreshold, "failure_percentage_threshold", defaults.FailurePercentageThreshold),
            EnforcingFailurePercentage = Percent(detection.EnforcingFailurePercentage, "enforcing_failure_percentage", defaults.EnforcingFailurePercentage),
            EnforcingFailurePercentageLocalOrigin = Percent(detection.EnforcingFailurePercentageLocalOrigin, "enforcing_failure_percentage_local_origin", defaults.EnforcingFailurePercentageLocalOrigin),
            FailurePercentageMinimumHosts = Count(detection.FailurePercentageMinimumHosts, defaults.FailurePercentageMinimumHosts),
            FailurePercentageRequestVolume = Count(detection.FailurePercentageRequestVolume, defaults.FailurePercentageRequestVolume),
        };
    }

    private static TimeSpan? Positive(Duration? duration, string field)
    {
        if (duration is null)
        {
            return null;
        }

        var value = duration.ToTimeSpan();
        return value > TimeSpan.Zero ? value : throw new XdsRejectedException($"outlier_detection.{field} must be above 0");
    }

    private static int Percent(uint? value, string field, int fallback) => value switch
    {
        null => fallback,
        > 100 => throw new XdsRejectedException($"outlier_detection.{field} is a percentage (0-100), not {value}"),
        _ => (int)value,
    };

    private static int Count(uint? value, int fallback) => value is { } v ? (int)Math.Min(v, int.MaxValue) : fallback;
}
