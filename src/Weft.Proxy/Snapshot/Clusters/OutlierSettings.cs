namespace Weft.Proxy.Snapshot.Clusters;

/// <summary>
/// A cluster's outlier detection (<c>outlier_detection</c>), every field with Envoy's default. Percentages are 0-100;
/// an <c>Enforcing*</c> value is the chance that a detected outlier is really ejected.
/// </summary>
internal sealed record OutlierSettings
{
    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(10);

    public TimeSpan BaseEjectionTime { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The longest an ejection lasts; Envoy's default is 300 s, or the base time when that is longer.</summary>
    public TimeSpan MaxEjectionTime { get; init; } = TimeSpan.FromSeconds(300);

    /// <summary>Up to this much random time is added to each ejection.</summary>
    public TimeSpan MaxEjectionTimeJitter { get; init; }

    public int MaxEjectionPercent { get; init; } = 10;

    /// <summary>Eject one host even when <see cref="MaxEjectionPercent"/> would not allow it.</summary>
    public bool AlwaysEjectOneHost { get; init; }

    public int Consecutive5xx { get; init; } = 5;

    public int EnforcingConsecutive5xx { get; init; } = 100;

    public int ConsecutiveGatewayFailure { get; init; } = 5;

    public int EnforcingConsecutiveGatewayFailure { get; init; }

    /// <summary>Count connect failures and timeouts apart from responses (local-origin errors).</summary>
    public bool SplitExternalLocalOriginErrors { get; init; }

    public int ConsecutiveLocalOriginFailure { get; init; } = 5;

    public int EnforcingConsecutiveLocalOriginFailure { get; init; } = 100;

    public int EnforcingSuccessRate { get; init; } = 100;

    public int EnforcingLocalOriginSuccessRate { get; init; } = 100;

    public int SuccessRateMinimumHosts { get; init; } = 5;

    public int SuccessRateRequestVolume { get; init; } = 100;

    /// <summary>Hosts below mean − factor/1000 × standard deviation are outliers.</summary>
    public int SuccessRateStdevFactor { get; init; } = 1900;

    public int FailurePercentageThreshold { get; init; } = 85;

    public int EnforcingFailurePercentage { get; init; }

    public int EnforcingFailurePercentageLocalOrigin { get; init; }

    public int FailurePercentageMinimumHosts { get; init; } = 5;

    public int FailurePercentageRequestVolume { get; init; } = 50;
}
