using System.CommandLine;
using Microsoft.Extensions.Logging;
using Weft.Control.Hosting;

namespace Weft.Cli.Commands;

/// <summary>
/// <c>weft control --config DIR</c>: the control plane (Istio's istiod, discovery half). Serves xDS for the directory's
/// configuration and pushes every change; runs until interrupted.
/// </summary>
internal static class ControlCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var config = new Option<string>("--config", "-c")
        {
            Description = "Directory of Istio YAML/JSON to serve; watched recursively, changes are pushed within a second.",
            Required = true,
        };
        var xds = new Option<string>("--xds-address")
        {
            Description = "Plaintext gRPC xDS listen address (HOST:PORT).",
            DefaultValueFactory = _ => "127.0.0.1:15010",
        };
        var http = new Option<string>("--http-address")
        {
            Description = "HTTP listen address for /ready, /metrics and /debug/* (HOST:PORT).",
            DefaultValueFactory = _ => "127.0.0.1:15014",
        };
        var logLevel = new Option<string>("--log-level")
        {
            Description = "Least severe log level shown: debug, info (default), warn or error.",
            DefaultValueFactory = _ => "info",
        };
        logLevel.AcceptOnlyFromAmong("debug", "info", "warn", "error");

        var command = new Command("control", "Run the control plane: turn a directory of Istio configuration into Envoy xDS and push it to every connected proxy.")
        {
            config,
            xds,
            http,
            logLevel,
        };
        command.SetAction(async (parsed, cancel) =>
        {
            var directory = parsed.GetValue(config)!;
            if (!Directory.Exists(directory))
            {
                stderr.WriteLine($"weft control: config directory {directory} does not exist");
                return 1;
            }

            using var loggers = LoggerFactory.Create(b => b
                .SetMinimumLevel(parsed.GetValue(logLevel) switch { "debug" => LogLevel.Debug, "warn" => LogLevel.Warning, "error" => LogLevel.Error, _ => LogLevel.Information })
                .AddFilter("Microsoft", LogLevel.Warning)
                .AddFilter("Grpc", LogLevel.Warning)
                .AddSimpleConsole(o =>
                {
                    o.SingleLine = true;
                    o.TimestampFormat = "HH:mm:ss.fff ";
                    o.IncludeScopes = false;
                }));
            ControlPlane plane;
            try
            {
                plane = await ControlPlane.StartAsync(new ControlPlaneOptions
                {
                    ConfigDirectory = directory,
                    XdsAddress = parsed.GetValue(xds)!,
                    HttpAddress = parsed.GetValue(http)!,
                }, loggers, cancel);
            }
            catch (FormatException e)
            {
                stderr.WriteLine($"weft control: {e.Message}");
                return WeftCommand.ExitUsage;
            }
            catch (IOException e)
            {
                stderr.WriteLine($"weft control: cannot listen: {e.Message}");
                return 1;
            }

            await using (plane)
            {
                var snapshot = plane.Store.Current;
                stdout.WriteLine($"weft control: xDS on {plane.XdsEndpoint}, HTTP on {plane.HttpEndpoint}; {snapshot.Resources.Count} resource(s) from {directory}, {snapshot.Rejections.Count} rejected");
                stdout.Flush();
                try
                {
                    await Task.Delay(Timeout.Infinite, cancel);
                }
                catch (OperationCanceledException)
                {
                }
            }

            return 0;
        });
        return command;
    }
}
