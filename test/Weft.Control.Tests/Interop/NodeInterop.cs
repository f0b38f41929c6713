using System.Diagnostics;
using System.Text.Json;

namespace Weft.Control.Tests.Interop;

/// <summary>
/// Finds what the interop tests need outside .NET: a <c>node</c> executable (18 or later) and
/// <c>test/interop/grpc-js-xds</c> with its npm packages installed at the versions package.json pins.
/// When either is missing the calling test is skipped with the reason (test.sh installs the packages
/// with <c>npm ci</c> when node and npm exist), never failed.
/// </summary>
public sealed class NodeInterop
{
    private const int MinimumNodeMajor = 18;
    private static readonly Lazy<(NodeInterop? Found, string Reason)> Probe = new(Find);

    private NodeInterop(string nodePath, string nodeVersion, string directory)
    {
        NodePath = nodePath;
        NodeVersion = nodeVersion;
        Directory = directory;
    }

    /// <summary>The node executable.</summary>
    public string NodePath { get; }

    /// <summary>What <c>node --version</c> printed, e.g. <c>v20.20.2</c>.</summary>
    public string NodeVersion { get; }

    /// <summary>The absolute path of <c>test/interop/grpc-js-xds</c>.</summary>
    public string Directory { get; }

    /// <summary>Why the interop tests cannot run here, or null when they can.</summary>
    public static string? UnavailableReason => Probe.Value.Found is null ? Probe.Value.Reason : null;

    /// <summary>The node set-up, or a skip of the calling test (a [SkippableFact]) that says what is missing.</summary>
    public static NodeInterop Require()
    {
        var (found, reason) = Probe.Value;
        Skip.If(found is null, reason);
        return found!;
    }

    public string Script(string fileName) => Path.Combine(Directory, fileName);

    private static (NodeInterop? Found, string Reason) Find()
    {
        var directory = Path.Combine(RepositoryRoot(), "test", "interop", "grpc-js-xds");
        var node = FindNode();
        if (node is null)
        {
            return (null, "SKIPPED: node is not on PATH (nor in $WEFT_NODE); the grpc-js-xds interop tests need Node.js " + MinimumNodeMajor + "+");
        }

        var version = NodeVersionOf(node);
        if (version is null || !int.TryParse(version.TrimStart('v').Split('.')[0], out var major) || major < MinimumNodeMajor)
        {
            return (null, $"SKIPPED: {node} reports version '{version}'; the grpc-js-xds interop tests need Node.js {MinimumNodeMajor}+");
        }

        var missing = MissingPackages(directory);
        if (missing is not null)
        {
            return (null, $"SKIPPED: {missing}; run `npm ci --no-audit --no-fund` in {directory} (test.sh does) to run the grpc-js-xds interop tests");
        }

        return (new NodeInterop(node, version, directory), "");
    }

    private static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Weft.slnx")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("cannot find the repository root (Weft.slnx) above " + AppContext.BaseDirectory);
    }

    private static string? FindNode()
    {
        var fromEnv = Environment.GetEnvironmentVariable("WEFT_NODE");
        if (!string.IsNullOrEmpty(fromEnv))
        {
            return File.Exists(fromEnv) ? fromEnv : null;
        }

        var name = OperatingSystem.IsWindows() ? "node.exe" : "node";
        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        return path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, name))
            .FirstOrDefault(File.Exists);
    }

    private static string? NodeVersionOf(string node)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo(node, "--version")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            });
            if (process is null)
            {
                return null;
            }

            var output = process.StandardOutput.ReadToEndAsync();
            if (!process.WaitForExit(TimeSpan.FromSeconds(20)))
            {
                process.Kill(entireProcessTree: true);
                return null;
            }

            return process.ExitCode == 0 ? output.GetAwaiter().GetResult().Trim() : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }

    // Every dependency package.json pins must be installed at exactly that version; a stale
    // node_modules would otherwise test a different client than the one the findings are about.
    private static string? MissingPackages(string directory)
    {
        using var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(directory, "package.json")));
        foreach (var dependency in manifest.RootElement.GetProperty("dependencies").EnumerateObject())
        {
            var installed = Path.Combine(directory, "node_modules", dependency.Name, "package.json");
            if (!File.Exists(installed))
            {
                return $"{dependency.Name} is not installed in {Path.Combine(directory, "node_modules")}";
            }

            using var package = JsonDocument.Parse(File.ReadAllText(installed));
            var version = package.RootElement.GetProperty("version").GetString();
            if (version != dependency.Value.GetString())
            {
                return $"{dependency.Name} {version} is installed but package.json pins {dependency.Value.GetString()}";
            }
        }

        return null;
    }
}
