using System.CommandLine;
using Microsoft.Extensions.Logging;
using Weft.Proxy.Hosting;

namespace Weft.Cli.Commands;

/// <summary>
/// <c>weft proxy --node-id ID --xds-address HOST:PORT</c>: the data plane (Istio's Envoy sidecar). Takes its configuration
/// from the control plane over ADS and serves HTTP by it; runs until interrupted (SIGINT/SIGTERM, which drain requests in
/// flight) or told to quit (<c>POST /quitquitquit</c> on the admin address).
/// </summary>
internal static class ProxyCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var nodeId = new Option<string>("--node-id")
        {
            Description = "Istio node id: sidecar~IP~NAME.NAMESPACE~NAMESPACE.svc.cluster.local (a WorkloadEntry's NAME.NAMESPACE makes the proxy that workload's sidecar).",
            Required = true,
        };
        var xds = new Option<string>("--xds-address")
        {
            Description = "The control plane's plaintext xDS address (HOST:PORT), as weft control --xds-address.",
            Required = true,
        };
        var outbound = Address("--outbound-address", "127.0.0.1:15001", "Outbound listener: HTTP requests routed by Host or absolute-form URI (use it as http_proxy).");
        var inbound = Address("--inbound-address", "127.0.0.1:15006", "Inbound listener: requests for this proxy's workload.");
        var admin = Address("--admin-address", "127.0.0.1:15000", "Admin: /ready, /config_dump, /listeners, /clusters, /quitquitquit.");
        var stats = Address("--stats-address", "127.0.0.1:15020", "Prometheus metrics (not served yet: answers 404).");
        var health = Address("--health-address", "127.0.0.1:15021", "Health: /healthz/ready.");
        var protocol = new Option<string>("--xds-protocol")
        {
            Description = "xDS variant: delta (incremental, Istio's default since 1.22) or sotw (state of the world).",
            DefaultValueFactory = _ => "delta",
        };
        protocol.AcceptOnlyFromAmong("delta", "sotw");
        var logLevel = new Option<string>("--log-level")
        {
            Description = "Least severe log level shown: debug, info (default), warn or error.",
            DefaultValueFactory = _ => "info",
        };
        logLevel.AcceptOnlyFromAmong("debug", "info", "warn", "error");

        var command = new Command("proxy", "Run a proxy (sidecar): take Envoy xDS from weft control and serve HTTP by it.")
        {
            nodeId,
            xds,
            protocol,
            outbound,
            inbound,
            admin,
            stats,
            health,
            logLevel,
        };
        command.SetAction(async (parsed, cancel) =>
        {
            using var loggers = LoggerFactory.Create(b => b
                .SetMinimumLevel(parsed.GetValue(logLevel) switch { "debug" => LogLevel.Debug, "warn" => LogLevel.Warning, "error" => LogLevel.Error, _ => LogLevel.Information })
                .AddFilter("Microsoft", LogLevel.Warning)

                // A failure to start is reported below as one sentence.
                .AddFilter("Microsoft.Extensions.Hosting", LogLevel.None)
                .AddFilter("Grpc", LogLevel.Warning)
                .AddFilter("Yarp", LogLevel.Warning)
                .AddSimpleConsole(o =>
                {
                    o.SingleLine = true;
                    o.TimestampFormat = "HH:mm:ss.fff ";
                    o.IncludeScopes = false;
                }));
            ProxyHost proxy;
            try
            {
                proxy = await ProxyHost.StartAsync(new ProxyOptions
                {
                    NodeId = parsed.GetValue(nodeId)!,
                    XdsAddress = parsed.GetValue(xds)!,
                    XdsProtocol = parsed.GetValue(protocol) == "sotw" ? XdsProtocol.StateOfTheWorld : XdsProtocol.Delta,
                    OutboundAddress = parsed.GetValue(outbound)!,
                    InboundAddress = parsed.GetValue(inbound)!,
                    AdminAddress = parsed.GetValue(admin)!,
                    StatsAddress = parsed.GetValue(stats)!,
                    HealthAddress = parsed.GetValue(health)!,
                }, loggers, cancel);
            }
            catch (FormatException e)
            {
                stderr.WriteLine($"weft proxy: {e.Message}");
                return WeftCommand.ExitUsage;
            }
            catch (IOException e)
            {
                stderr.WriteLine($"weft proxy: cannot listen: {e.Message}");
                return 1;
            }

            await using (proxy)
            {
                stdout.WriteLine($"weft proxy: {proxy.Node.Id} from xDS {parsed.GetValue(xds)} ({parsed.GetValue(protocol)}); outbound {proxy.OutboundEndpoint}, inbound {proxy.InboundEndpoint}, admin {proxy.AdminEndpoint}, health {proxy.HealthEndpoint}, stats {proxy.StatsEndpoint}");
                stdout.Flush();
                try
                {
                    await proxy.Completion.WaitAsync(cancel);
                }
                catch (OperationCanceledException)
                {
                }
            }

            return 0;
        });
        return command;
    }

    private static Option<string> Address(string name, string defaultValue, string description) => new(name)
    {
        Description = description + " HOST:PORT; port 0 lets the OS choose.",
        DefaultValueFactory = _ => defaultValue,
    };
}
