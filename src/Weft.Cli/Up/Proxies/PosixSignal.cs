using System.Runtime.InteropServices;

namespace Weft.Cli.Up.Proxies;

/// <summary>Sends a signal to a process, so a child can stop as Ctrl-C or a service manager would stop it.</summary>
internal static class PosixSignal
{
    public const int Interrupt = 2;
    public const int Terminate = 15;

    /// <summary>False when the process is gone or signals do not exist here (Windows).</summary>
    public static bool Send(int pid, int signal) => !OperatingSystem.IsWindows() && Kill(pid, signal) == 0;

    [DllImport("libc", EntryPoint = "kill")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Kill(int pid, int signal);
}
