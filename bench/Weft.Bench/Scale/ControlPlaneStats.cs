using System.Diagnostics;
using System.Globalization;

namespace Weft.Bench.Scale;

/// <summary>
/// A served process's figures at one moment, as an agent reports them to the benchmark (see <see cref="ControlPlaneAgent"/>
/// and <see cref="ReplayAgent"/>): written by <see cref="Line"/> in the agent, read by <see cref="Parse"/> in the benchmark.
/// </summary>
internal sealed record ControlPlaneStats(long HeapBytes, long WorkingSetBytes, long PeakWorkingSetBytes, TimeSpan Cpu, long AllocatedBytes, int Gen2Collections)
{
    /// <summary>This process's <c>stats key=value ...</c> line, after a full blocking collection when <paramref name="collect"/>.</summary>
    public static string Line(bool collect)
    {
        if (collect)
        {
            GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
            GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        }

        using var self = Process.GetCurrentProcess();
        return string.Create(CultureInfo.InvariantCulture,
            $"stats heap={GC.GetTotalMemory(false)} workingSet={self.WorkingSet64} peak={self.PeakWorkingSet64} cpuMs={self.TotalProcessorTime.TotalMilliseconds:F0} allocated={GC.GetTotalAllocatedBytes()} gen2={GC.CollectionCount(2)}");
    }

    /// <summary>Reads a <c>stats key=value ...</c> line.</summary>
    public static ControlPlaneStats Parse(string line)
    {
        var values = line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1)
            .Select(pair => pair.Split('=', 2))
            .ToDictionary(p => p[0], p => long.Parse(p[1], CultureInfo.InvariantCulture), StringComparer.Ordinal);
        return new ControlPlaneStats(values["heap"], values["workingSet"], values["peak"], TimeSpan.FromMilliseconds(values["cpuMs"]), values["allocated"], (int)values["gen2"]);
    }
}
