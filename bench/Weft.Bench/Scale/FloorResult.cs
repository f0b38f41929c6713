namespace Weft.Bench.Scale;

/// <summary>
/// The transport floor: the scenario's waves and pushes again, with the same clients, served by the replay server
/// (<see cref="ReplayAgent"/>) instead of the control plane. <see cref="Cold"/> is its first wave (JIT, and each class's
/// responses built once); <see cref="Warm"/> is the full push it is compared with; <see cref="Changes"/> are its pushes of
/// the same routes as a new version, each timed from the command to the last client's ACK.
/// </summary>
internal sealed record FloorResult(WaveResult Cold, WaveResult? Baseline, WaveResult Warm, IReadOnlyList<ChangeResult> Changes);
