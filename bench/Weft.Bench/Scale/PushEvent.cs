namespace Weft.Bench.Scale;

/// <summary>A push context handed to the xDS server: its version and when (<see cref="System.Diagnostics.Stopwatch"/> ticks).</summary>
internal readonly record struct PushEvent(long Version, long At);
