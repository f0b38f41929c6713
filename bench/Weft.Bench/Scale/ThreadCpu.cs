using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Weft.Bench.Scale;

/// <summary>
/// CPU time of the calling thread (Linux <c>CLOCK_THREAD_CPUTIME_ID</c>), so stage timings mean the same on a busy machine
/// as on an idle one; elsewhere, wall time.
/// </summary>
internal static partial class ThreadCpu
{
    private const int ClockThreadCpuTime = 3;

    public static bool Available { get; } = OperatingSystem.IsLinux() && Probe();

    /// <summary>Milliseconds of this thread's CPU time (or of wall time) since an arbitrary start.</summary>
    public static double NowMs()
    {
        if (Available && ClockGetTime(ClockThreadCpuTime, out var now) == 0)
        {
            return (now.Seconds * 1e3) + (now.Nanoseconds / 1e6);
        }

        return Stopwatch.GetTimestamp() * 1000.0 / Stopwatch.Frequency;
    }

    private static bool Probe()
    {
        try
        {
            return ClockGetTime(ClockThreadCpuTime, out _) == 0;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }

    [DllImport("libc", EntryPoint = "clock_gettime")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int ClockGetTime(int clock, out TimeSpec time);

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }
}
