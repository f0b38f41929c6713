using Weft.Xds.Envoy.Config.Cluster.V3;
using static Weft.Control.Tests.Support.ClusterTestSupport;

namespace Weft.Control.Tests.Generators.Clusters;

/// <summary>DestinationRule <c>outlierDetection</c> on sidecar clusters (Istio's applyOutlierDetection).</summary>
public sealed class OutlierDetectionTests
{
    private const string Name = "outbound|80||reviews.default.svc.cluster.local";

    private static Cluster With(string detection) =>
        ClusterNamed(PushOf(Service("reviews") + Rule("reviews", "trafficPolicy:\n  outlierDetection:\n" + string.Join('\n', detection.Split('\n').Select(l => "    " + l)))), Name);

    [Fact]
    public void Consecutive_errors_intervals_and_ejection_limits()
    {
        var cluster = With("consecutive5xxErrors: 3\nconsecutiveGatewayErrors: 2\ninterval: 5s\nbaseEjectionTime: 1m\nmaxEjectionPercent: 50\nminHealthPercent: 25");

        var detection = cluster.OutlierDetection;
        Assert.Equal(0u, detection.EnforcingSuccessRate);
        Assert.Equal(3u, detection.Consecutive5Xx);
        Assert.Equal(100u, detection.EnforcingConsecutive5Xx);
        Assert.Equal(2u, detection.ConsecutiveGatewayFailure);
        Assert.Equal(100u, detection.EnforcingConsecutiveGatewayFailure);
        Assert.Equal(5, detection.Interval.Seconds);
        Assert.Equal(60, detection.BaseEjectionTime.Seconds);
        Assert.Equal(50u, detection.MaxEjectionPercent);
        Assert.Equal(25.0, cluster.CommonLbConfig.HealthyPanicThreshold.Value);
    }

    [Fact]
    public void Zero_turns_a_check_off_and_unset_fields_keep_envoy_defaults()
    {
        var cluster = With("consecutive5xxErrors: 0");

        var detection = cluster.OutlierDetection;
        Assert.Equal(0u, detection.Consecutive5Xx);
        Assert.Equal(0u, detection.EnforcingConsecutive5Xx);
        Assert.Null(detection.ConsecutiveGatewayFailure);
        Assert.Null(detection.Interval);
        Assert.Null(detection.MaxEjectionPercent);
        Assert.Equal(0.0, cluster.CommonLbConfig.HealthyPanicThreshold.Value);
    }

    [Fact]
    public void Local_origin_errors_split()
    {
        var detection = With("splitExternalLocalOriginErrors: true\nconsecutiveLocalOriginFailures: 4").OutlierDetection;

        Assert.True(detection.SplitExternalLocalOriginErrors);
        Assert.Equal(4u, detection.ConsecutiveLocalOriginFailure);
        Assert.Equal(100u, detection.EnforcingConsecutiveLocalOriginFailure);
        Assert.Equal(0u, detection.EnforcingLocalOriginSuccessRate);
    }
}
