namespace Weft.Bench.Scale;

/// <summary>Everything one scale run measured.</summary>
internal sealed record ScaleResult
{
    public required ScaleOptions Options { get; init; }

    public required int Resources { get; init; }

    public required int RoutedServices { get; init; }

    public required string LoadBefore { get; init; }

    public required string LoadAfter { get; init; }

    /// <summary>The first wave, on a control plane that has not served anyone yet (JIT, caches cold).</summary>
    public required WaveResult Cold { get; init; }

    /// <summary>The smaller wave, as a scaling baseline; null when not run.</summary>
    public WaveResult? Baseline { get; init; }

    /// <summary>The full push: every client again, on a warm control plane with a new push context.</summary>
    public required WaveResult Warm { get; init; }

    public required IReadOnlyList<ChangeResult> Changes { get; init; }

    /// <summary>After loading the configuration, before any client (after a full collection).</summary>
    public required ControlPlaneStats Idle { get; init; }

    /// <summary>With every client connected and converged (after a full collection).</summary>
    public required ControlPlaneStats Connected { get; init; }

    /// <summary>At the end of the run, without a collection (its peak working set covers the whole run).</summary>
    public required ControlPlaneStats End { get; init; }

    public GenerationProfile? Generation { get; init; }

    /// <summary>The transport floor, measured after the control plane stopped; null when not run or when it failed.</summary>
    public FloorResult? Floor { get; init; }

    /// <summary>Why the transport floor has no figures, when it was to be measured and failed.</summary>
    public string? FloorFailure { get; init; }
}
