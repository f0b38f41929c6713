namespace Weft.Bench.Scale;

/// <summary>
/// A wave: every client opening its stream at once until the last has acknowledged CDS, EDS, LDS and RDS. Times in
/// milliseconds; <see cref="Cpu"/> is what the control plane process spent meanwhile.
/// </summary>
internal sealed record WaveResult(string Name, int Clients, double WallMs, IReadOnlyList<double> PerClientMs, TimeSpan Cpu);
