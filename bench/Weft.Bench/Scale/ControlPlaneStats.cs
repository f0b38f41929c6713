using System.Globalization;

namespace Weft.Bench.Scale;

/// <summary>The control plane process's figures at one moment (see <see cref="ControlPlaneAgent"/>).</summary>
internal sealed record ControlPlaneStats(long HeapBytes, long WorkingSetBytes, long PeakWorkingSetBytes, TimeSpan Cpu, long AllocatedBytes, int Gen2Collections)
{
    /// <summary>Reads a <c>stats key=value ...</c> line.</summary>
    public static ControlPlaneStats Parse(string line)
    {
        var values = line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1)
            .Select(pair => pair.Split('=', 2))
            .ToDictionary(p => p[0], p => long.Parse(p[1], CultureInfo.InvariantCulture), StringComparer.Ordinal);
        return new ControlPlaneStats(values["heap"], values["workingSet"], values["peak"], TimeSpan.FromMilliseconds(values["cpuMs"]), values["allocated"], (int)values["gen2"]);
    }
}
