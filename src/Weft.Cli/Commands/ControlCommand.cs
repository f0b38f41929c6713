using System.CommandLine;
using Microsoft.Extensions.Logging;
using Weft.Control.Ca;
using Weft.Control.Hosting;

namespace Weft.Cli.Commands;

/// <summary>
/// <c>weft control --config DIR</c>: the control plane (Istio's istiod). Serves xDS for the directory's configuration and
/// pushes every change; signs workload certificates with the CA kept in the state directory; runs until interrupted.
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
        var secureXds = new Option<string>("--secure-xds-address")
        {
            Description = "xDS and the CA over TLS, with a certificate the CA signs (HOST:PORT).",
            DefaultValueFactory = _ => "127.0.0.1:15012",
        };
        var stateDir = new Option<string>("--state-dir")
        {
            Description = "Where the CA keeps its root (ca/) and workload tokens (tokens/); created if missing.",
            DefaultValueFactory = _ => ".weft",
        };
        var caCerts = new Option<string?>("--cacerts")
        {
            Description = "Istio plug-in CA directory (ca-cert.pem, ca-key.pem, root-cert.pem, cert-chain.pem) to sign with; default STATE_DIR/ca/cacerts when it holds them.",
        };
        var certTtl = new Option<string>("--workload-cert-ttl")
        {
            Description = "Default and longest lifetime of workload certificates (for example 24h, 90m).",
            DefaultValueFactory = _ => "24h",
        };
        var requireTokens = new Option<bool>("--require-tokens")
        {
            Description = "Certificate requests must also carry \"authorization: Bearer TOKEN\" equal to STATE_DIR/tokens/NAMESPACE/NAME.",
        };
        var meshConfig = new Option<string?>("--mesh-config")
        {
            Description = "Istio MeshConfig YAML (or the istio ConfigMap holding it): root namespace, trust domain and aliases, outbound policy, extension providers for CUSTOM authorization.",
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
            secureXds,
            http,
            stateDir,
            caCerts,
            certTtl,
            requireTokens,
            meshConfig,
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
                var mesh = parsed.GetValue(meshConfig) is { } meshFile
                    ? Weft.Control.Model.MeshConfigReader.Read(await ReadMeshConfigAsync(meshFile, cancel), meshFile)
                    : Weft.Control.Model.MeshConfig.Default;
                plane = await ControlPlane.StartAsync(new ControlPlaneOptions
                {
                    ConfigDirectory = directory,
                    XdsAddress = parsed.GetValue(xds)!,
                    SecureXdsAddress = parsed.GetValue(secureXds)!,
                    HttpAddress = parsed.GetValue(http)!,
                    StateDirectory = Path.GetFullPath(parsed.GetValue(stateDir)!),
                    CaCertsDirectory = parsed.GetValue(caCerts),
                    WorkloadCertTtl = Durations.ParsePositive(parsed.GetValue(certTtl)!, "--workload-cert-ttl"),
                    RequireTokens = parsed.GetValue(requireTokens),
                    Mesh = mesh,
                }, loggers, cancel);
            }
            catch (FormatException e)
            {
                stderr.WriteLine($"weft control: {e.Message}");
                return WeftCommand.ExitUsage;
            }
            catch (FileNotFoundException e)
            {
                stderr.WriteLine($"weft control: mesh config {e.FileName} does not exist");
                return WeftCommand.ExitUsage;
            }
            catch (CaException e)
            {
                stderr.WriteLine($"weft control: CA: {e.Message}");
                return 1;
            }
            catch (IOException e)
            {
                stderr.WriteLine($"weft control: cannot listen: {e.Message}");
                return 1;
            }

            await using (plane)
            {
                var snapshot = plane.Store.Current;
                stdout.WriteLine($"weft control: xDS on {plane.XdsEndpoint}, xDS and CA over TLS on {plane.SecureXdsEndpoint}, HTTP on {plane.HttpEndpoint}; {snapshot.Resources.Count} resource(s) from {directory}, {snapshot.Rejections.Count} rejected");
                stdout.WriteLine($"weft control: CA: {plane.Ca!.Description}; clients trust {plane.Ca.RootFile} (root valid until {plane.Ca.Root.NotAfter.ToUniversalTime():yyyy-MM-dd})");
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

    private static Task<string> ReadMeshConfigAsync(string path, CancellationToken cancel) =>
        File.Exists(path) ? File.ReadAllTextAsync(path, cancel) : throw new FileNotFoundException("no such file", path);
}
