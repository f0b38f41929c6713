using System.Globalization;
using System.Runtime.InteropServices;

namespace Weft.Proxy.Hosting;

/// <summary>
/// Gives back the file pages that start-up touched. The NativeAOT proxy is one 20 MB file, and starting it (command line,
/// dependency injection, Kestrel, the xDS client, the first configuration) faults in most of it, and much of libcrypto,
/// though serving requests uses about half. Those pages are clean and file-backed, so the kernel would reclaim them under
/// memory pressure, but until then they count in the proxy's resident set and in its container's memory.
/// <c>madvise(MADV_PAGEOUT)</c> on the read-only file mappings drops them at once, and <c>MADV_RANDOM</c> before it keeps
/// a later fault from mapping a page's neighbours too, so what requests use comes back from the file, page by page, and
/// stays. Pages another process also maps (a second proxy from the same file, a shared library) are left alone by the
/// kernel. Linux 5.4 and later; elsewhere, or when the kernel refuses, nothing changes.
/// </summary>
public static class StartupPages
{
    private const int MadvRandom = 1;
    private const int MadvPageout = 21;

    /// <summary>Advises the kernel to page out the process's read-only file mappings; returns how many bytes were advised.</summary>
    public static long Release()
    {
        if (!OperatingSystem.IsLinux())
        {
            return 0;
        }

        long advised = 0;
        foreach (var line in File.ReadLines("/proc/self/maps"))
        {
            if (ReadOnlyFileMapping(line) is var (start, length, _))
            {
                _ = Madvise((nint)start, (nuint)length, MadvRandom);
                if (Madvise((nint)start, (nuint)length, MadvPageout) == 0)
                {
                    advised += length;
                }
            }
        }

        return advised;
    }

    /// <summary>
    /// The start, length and file of a <c>/proc/PID/maps</c> (or smaps) line's mapping when it maps a file without write
    /// access (code and read-only data; writable data is private and would need swap to page out), other than shared
    /// memory.
    /// </summary>
    internal static (ulong Start, long Length, string Path)? ReadOnlyFileMapping(string line)
    {
        // start-end perms offset dev inode path
        var fields = line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length < 6 || fields[1].Length != 4 || fields[1].Contains('w', StringComparison.Ordinal) || fields[5].Trim() is not ['/', ..] path)
        {
            return null;
        }

        // Shared memory (the runtime's double-mapped code, /dev/shm) is not backed by a file the kernel can read back.
        if (path.StartsWith("/memfd:", StringComparison.Ordinal) || path.StartsWith("/dev/", StringComparison.Ordinal) || path.EndsWith("(deleted)", StringComparison.Ordinal))
        {
            return null;
        }

        var dash = fields[0].IndexOf('-', StringComparison.Ordinal);
        if (dash < 0
            || !ulong.TryParse(fields[0].AsSpan(0, dash), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var start)
            || !ulong.TryParse(fields[0].AsSpan(dash + 1), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var end)
            || end <= start)
        {
            return null;
        }

        return (start, (long)(end - start), path);
    }

    [DllImport("libc", EntryPoint = "madvise", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Madvise(nint address, nuint length, int advice);
}
