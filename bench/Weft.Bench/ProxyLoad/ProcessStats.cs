using System.Globalization;

namespace Weft.Bench.ProxyLoad;

/// <summary>CPU time and resident memory of processes, read from /proc (Linux).</summary>
internal static class ProcessStats
{
    private static readonly double TicksPerSecond = 100; // USER_HZ on Linux

    /// <summary>User plus system CPU seconds of the processes and their threads.</summary>
    public static double CpuSeconds(IEnumerable<int> pids) => pids.Sum(pid =>
    {
        var stat = Read($"/proc/{pid}/stat");
        if (stat is null)
        {
            return 0;
        }

        // Fields after the command name, which is in parentheses and may hold spaces.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / TicksPerSecond;
    });

    /// <summary>
    /// Context switches (voluntary and not) of every thread of the processes: each is a thread put to sleep or pushed
    /// off its core, and a wake-up to follow. Threads that ended meanwhile are not counted.
    /// </summary>
    public static long ContextSwitches(IEnumerable<int> pids) => pids.Sum(pid =>
    {
        string[] threads;
        try
        {
            threads = Directory.GetDirectories($"/proc/{pid}/task");
        }
        catch (IOException)
        {
            return 0L;
        }

        return threads.Sum(thread => Read(Path.Combine(thread, "status"))?.Split('\n')
            .Where(l => l.StartsWith("voluntary_ctxt_switches:", StringComparison.Ordinal) || l.StartsWith("nonvoluntary_ctxt_switches:", StringComparison.Ordinal))
            .Sum(l => long.Parse(l[(l.IndexOf(':') + 1)..].Trim(), CultureInfo.InvariantCulture)) ?? 0L);
    });

    /// <summary>Resident set size in MB (VmRSS) summed over the processes.</summary>
    public static double RssMb(IEnumerable<int> pids) => pids.Sum(pid =>
    {
        var status = Read($"/proc/{pid}/status");
        var line = status?.Split('\n').FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return line is null ? 0 : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024.0;
    });

    /// <summary>The process and every descendant (nginx's workers, a shell's child).</summary>
    public static IReadOnlyList<int> Tree(int root)
    {
        var all = new List<int> { root };
        for (var i = 0; i < all.Count; i++)
        {
            var children = Read($"/proc/{all[i]}/task/{all[i]}/children");
            if (children is not null)
            {
                all.AddRange(children.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(c => int.Parse(c, CultureInfo.InvariantCulture)));
            }
        }

        return all;
    }

    private static string? Read(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }
}
