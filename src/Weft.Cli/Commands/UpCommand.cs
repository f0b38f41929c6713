using System.CommandLine;
using System.Globalization;
using Weft.Cli.Up;
using Weft.Cli.Up.Proxies;
using Weft.Control.Hosting;

namespace Weft.Cli.Commands;

/// <summary>
/// <c>weft up DIR</c>: the directory's mesh on this machine in one command: control plane, sample workloads for its local
/// WorkloadEntries, a client proxy and traffic through it, with a live view of where the traffic goes.
/// </summary>
internal static class UpCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr, IProxyRunner? proxies = null)
    {
        var directory = new Argument<string>("DIR")
        {
            Description = "Directory of Istio YAML/JSON (ServiceEntries, WorkloadEntries, VirtualServices, ...); watched, edits apply live.",
        };
        var xds = new Option<string>("--xds-address")
        {
            Description = "The control plane's plaintext gRPC xDS listen address (HOST:PORT; port 0 lets the OS choose).",
            DefaultValueFactory = _ => "127.0.0.1:15010",
        };
        var http = new Option<string>("--http-address")
        {
            Description = "The control plane's HTTP listen address for /ready, /metrics and /debug/* (HOST:PORT).",
            DefaultValueFactory = _ => "127.0.0.1:15014",
        };
        var duration = new Option<double?>("--duration")
        {
            Description = "Stop after this many seconds of traffic (default: run until Ctrl-C).",
        };
        var rate = new Option<double>("--rate")
        {
            Description = "Requests per second sent to each service.",
            DefaultValueFactory = _ => 20,
        };
        var noView = new Option<bool>("--no-view")
        {
            Description = "Print one summary line per second instead of the live view (also the default when output is not a terminal).",
        };

        var command = new Command("up", "Run a directory's mesh locally: control plane, sample workloads, a client proxy and traffic, with a live view of where requests go.")
        {
            directory,
            xds,
            http,
            duration,
            rate,
            noView,
        };
        command.SetAction(async (parsed, cancel) =>
        {
            var dir = parsed.GetValue(directory)!;
            if (!Directory.Exists(dir))
            {
                stderr.WriteLine($"weft up: directory {dir} does not exist");
                return 1;
            }

            var problem = Check(parsed.GetValue(xds)!, "--xds-address") ?? Check(parsed.GetValue(http)!, "--http-address")
                ?? (parsed.GetValue(duration) is { } d && !(d > 0 && d <= 1e6) ? $"--duration must be a number of seconds above 0, not {Text(d)}" : null)
                ?? (parsed.GetValue(rate) is var r && !(r > 0 && r <= 10_000) ? $"--rate must be above 0 and at most 10000 requests per second, not {Text(r)}" : null);
            if (problem is not null)
            {
                stderr.WriteLine($"weft up: {problem}");
                return WeftCommand.ExitUsage;
            }

            var options = new UpOptions(
                dir,
                parsed.GetValue(xds)!,
                parsed.GetValue(http)!,
                parsed.GetValue(duration) is { } seconds ? TimeSpan.FromSeconds(seconds) : null,
                parsed.GetValue(rate),
                View: !parsed.GetValue(noView));
            var session = new UpSession(options, proxies ?? new ChildProcessProxyRunner(), stdout, stderr, TerminalWidth(stdout), TimeProvider.System);
            return await session.RunAsync(cancel);
        });
        return command;
    }

    private static string? Check(string address, string flag)
    {
        try
        {
            Endpoints.Parse(address, flag);
            return null;
        }
        catch (FormatException e)
        {
            return e.Message;
        }
    }

    /// <summary>The terminal's width when <paramref name="stdout"/> is the console and the console is a terminal that can draw.</summary>
    private static Func<int>? TerminalWidth(TextWriter stdout)
    {
        if (!ReferenceEquals(stdout, Console.Out) || Console.IsOutputRedirected || Environment.GetEnvironmentVariable("TERM") is null or "dumb")
        {
            return null;
        }

        return () =>
        {
            try
            {
                return Console.WindowWidth > 0 ? Console.WindowWidth : 120;
            }
            catch (IOException)
            {
                return 120;
            }
        };
    }

    private static string Text(double value) => value.ToString(CultureInfo.InvariantCulture);
}
