using System.CommandLine;
using Microsoft.Extensions.Logging;
using Weft.Proxy.Hosting;
using Weft.Proxy.Telemetry.AccessLog;
using Weft.Proxy.Xds;

namespace Weft.Cli.Commands;

/// <summary>
/// <c>weft proxy --node-id ID --xds-address HOST:PORT</c>: the data plane (Istio's Envoy sidecar). Takes its configuration
/// from the control plane over ADS and serves HTTP by it; runs until interrupted (SIGINT/SIGTERM, which drain requests in
/// flight) or told to quit (<c>POST /quitquitquit</c> on the admin address).
/// </summary>
internal static partial class ProxyCommand
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
            Description = "The control plane's plaintext xDS address (HOST:PORT), as weft control --xds-address. Or use --secure-xds-address.",
        };
        var secureXds = new Option<string?>("--secure-xds-address")
        {
            Description = "The control plane's TLS port for xDS and its CA (HOST:PORT), as weft control --secure-xds-address (Istio's 15012). The proxy then gets a workload certificate and speaks Istio mTLS. Needs --root-cert.",
        };
        var caAddress = new Option<string?>("--ca-address")
        {
            Description = "Where to ask for the workload certificate (Istio's CA_ADDR, HOST:PORT, over TLS); by default --secure-xds-address. Needs --root-cert.",
        };
        var rootCert = new Option<string?>("--root-cert")
        {
            Description = "The control plane's root certificate (PEM, e.g. STATE_DIR/ca/root-cert.pem): the only trust --secure-xds-address accepts.",
        };
        var tokenFile = new Option<string?>("--token-file")
        {
            Description = "A file holding the workload's bearer token, sent to the control plane and its CA (weft control --require-tokens). Read again for each request.",
        };
        var trustDomain = new Option<string>("--trust-domain")
        {
            Description = "The SPIFFE trust domain of the workload's identity, spiffe://TRUST_DOMAIN/ns/NAMESPACE/sa/SERVICE_ACCOUNT.",
            DefaultValueFactory = _ => "cluster.local",
        };
        var certTtl = new Option<string?>("--workload-cert-ttl")
        {
            Description = "The certificate lifetime to ask the CA for (for example 24h, 90m); by default the CA's own (weft control --workload-cert-ttl).",
        };
        var outbound = Address("--outbound-address", "127.0.0.1:15001", "Outbound listener: HTTP requests routed by Host or absolute-form URI (use it as http_proxy).");
        var inbound = Address("--inbound-address", "127.0.0.1:15006", "Inbound listener: requests for this proxy's workload.");
        var admin = Address("--admin-address", "127.0.0.1:15000", "Admin: /ready, /config_dump, /listeners, /clusters, /quitquitquit.");
        var stats = Address("--stats-address", "127.0.0.1:15020", "Prometheus metrics: Istio's standard metrics at /stats/prometheus.");
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
        var labels = new Option<string[]>("--label")
        {
            Description = "A label of the workload, KEY=VALUE (repeatable), as its pod would carry it: sent to the control plane as node metadata LABELS; app, version and service.istio.io/canonical-name/-revision label its telemetry.",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var clusterId = new Option<string>("--cluster-id")
        {
            Description = "Istio's CLUSTER_ID: the cluster the workload runs in (source_cluster/destination_cluster in metrics).",
            DefaultValueFactory = _ => NodeIdentity.DefaultClusterId,
        };
        var serviceAccount = new Option<string?>("--service-account")
        {
            Description = "The workload's service account (node metadata SERVICE_ACCOUNT); by default the control plane takes the workload's own.",
        };
        var interception = new Option<string?>("--interception-mode")
        {
            Description = "How the workload's traffic is captured, as Istio's sidecar.istio.io/interceptionMode (node metadata INTERCEPTION_MODE): REDIRECT (iptables REDIRECT, the control plane's default), TPROXY (iptables TPROXY: transparent capture listeners and the callers' own addresses towards the workload; needs CAP_NET_ADMIN) or NONE (no capture).",
        };
        interception.AcceptOnlyFromAmong("REDIRECT", "TPROXY", "NONE");
        var accessLog = new Option<string?>("--access-log")
        {
            Description = "Write an access log, as Istio's mesh accessLogFile: a file PATH, or - (or /dev/stdout) for standard output. Off by default.",
        };
        var accessLogEncoding = new Option<string>("--access-log-encoding")
        {
            Description = "Istio's mesh accessLogEncoding: text (Istio's default text format) or json (its default JSON keys).",
            DefaultValueFactory = _ => "text",
        };
        accessLogEncoding.AcceptOnlyFromAmong("text", "json");
        var concurrency = new Option<int>("--concurrency")
        {
            Description = "Worker threads, as Istio's ProxyConfig concurrency: the socket event threads that read, forward and answer requests; 0 means one per core. 1 by default: a request's downstream and upstream connections then share one thread, which costs less CPU per request than two (docs/performance.md); raise it when one core cannot carry the traffic or requests that arrive together must not wait for each other.",
            DefaultValueFactory = _ => 1,
        };
        concurrency.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() < 0)
            {
                result.AddError("--concurrency must be 0 (one thread per core) or more");
            }
        });

        var command = new Command("proxy", "Run a proxy (sidecar): take Envoy xDS from weft control and serve HTTP by it.")
        {
            nodeId,
            xds,
            secureXds,
            caAddress,
            rootCert,
            tokenFile,
            trustDomain,
            certTtl,
            protocol,
            outbound,
            inbound,
            admin,
            stats,
            health,
            labels,
            clusterId,
            interception,
            serviceAccount,
            accessLog,
            accessLogEncoding,
            concurrency,
            logLevel,
        };
        command.SetAction(async (parsed, cancel) =>
        {
            EventLoops(parsed.GetValue(concurrency));
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
                    Labels = ParseLabels(parsed.GetValue(labels) ?? []),
                    ClusterId = parsed.GetValue(clusterId)!,
                    InterceptionMode = parsed.GetValue(interception),
                    ServiceAccount = parsed.GetValue(serviceAccount),
                    AccessLogPath = parsed.GetValue(accessLog),
                    AccessLogEncoding = parsed.GetValue(accessLogEncoding) == "json" ? AccessLogEncoding.Json : AccessLogEncoding.Text,
                    NodeId = parsed.GetValue(nodeId)!,
                    XdsAddress = parsed.GetValue(xds),
                    SecureXdsAddress = parsed.GetValue(secureXds),
                    RootCertFile = parsed.GetValue(rootCert),
                    CaAddress = parsed.GetValue(caAddress),
                    TokenFile = parsed.GetValue(tokenFile),
                    TrustDomain = parsed.GetValue(trustDomain)!,
                    WorkloadCertTtl = parsed.GetValue(certTtl) is { } ttl ? ParseDuration(ttl, "--workload-cert-ttl") : null,
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
            catch (IOException e) when (e.InnerException is IOException or UnauthorizedAccessException)
            {
                // The access log could not be opened (ProxyHost says which); the message is the sentence.
                stderr.WriteLine($"weft proxy: {e.Message}");
                return 1;
            }
            catch (IOException e)
            {
                stderr.WriteLine($"weft proxy: cannot listen: {e.Message}");
                return 1;
            }

            await using (proxy)
            {
                stdout.WriteLine($"weft proxy: {proxy.Node.Id} from xDS {parsed.GetValue(xds) ?? parsed.GetValue(secureXds) + " (TLS)"} ({parsed.GetValue(protocol)}); outbound {proxy.OutboundEndpoint}, inbound {proxy.InboundEndpoint}, admin {proxy.AdminEndpoint}, health {proxy.HealthEndpoint}, stats {proxy.StatsEndpoint}");
                stdout.Flush();
                _ = ReleaseStartupPagesWhenReadyAsync(proxy, loggers.CreateLogger("Weft.Proxy.Hosting.StartupPages"), cancel);
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

    /// <summary><c>--label KEY=VALUE</c> values as a map (a later value for a key wins); a malformed one is a <see cref="FormatException"/> naming it.</summary>
    /// <summary>
    /// Runs the proxy's connections on <paramref name="workers"/> socket event threads (0: one per core) and lets socket
    /// completions run on those threads instead of being queued to the thread pool, so that with Kestrel's inline
    /// scheduling a request is read, forwarded and answered on one thread, as in an event loop. The runtime hands each new
    /// socket to the next thread in turn, so with more than one a request's downstream and upstream connections usually
    /// sit on different threads and both wake for it. The runtime reads these variables once, at the first socket
    /// operation, so this runs before any; values the user set are kept.
    /// </summary>
    internal static void EventLoops(int workers)
    {
        SetUnlessSet("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS", "1");
        SetUnlessSet("DOTNET_SYSTEM_NET_SOCKETS_THREAD_COUNT", (workers == 0 ? Environment.ProcessorCount : workers).ToString(System.Globalization.CultureInfo.InvariantCulture));

        static void SetUnlessSet(string variable, string value)
        {
            if (Environment.GetEnvironmentVariable(variable) is null)
            {
                Environment.SetEnvironmentVariable(variable, value);
            }
        }
    }

    /// <summary>
    /// Once the first complete configuration is in force (start-up's work done), gives back the file pages that only
    /// start-up used (see <see cref="StartupPages"/>). Once: doing it again would also drop the pages requests use,
    /// and they would be read back while traffic flows.
    /// </summary>
    private static async Task ReleaseStartupPagesWhenReadyAsync(ProxyHost proxy, ILogger log, CancellationToken cancel)
    {
        try
        {
            await proxy.WaitUntilReadyAsync(cancel).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        var advised = StartupPages.Release();
        LogStartupPagesReleased(log, advised);
    }

    [LoggerMessage(EventId = 900, Level = LogLevel.Debug, Message = "start-up done: advised the kernel to page out {Bytes} bytes of read-only file mappings")]
    private static partial void LogStartupPagesReleased(ILogger log, long bytes);

    internal static Dictionary<string, string> ParseLabels(IEnumerable<string> values)
    {
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var value in values)
        {
            var eq = value.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                throw new FormatException($"--label \"{value}\" is not KEY=VALUE (for example --label app=reviews)");
            }

            labels[value[..eq]] = value[(eq + 1)..];
        }

        return labels;
    }

    /// <summary>
    /// A positive duration as Go (and <c>weft control</c>) write them: numbers with units <c>h</c>, <c>m</c>, <c>s</c>,
    /// <c>ms</c>, concatenated (<c>24h</c>, <c>1h30m</c>, <c>90s</c>). Here rather than shared with the control plane because
    /// the NativeAOT proxy host compiles this file without it.
    /// </summary>
    internal static TimeSpan ParseDuration(string value, string flag)
    {
        var total = TimeSpan.Zero;
        var parts = System.Text.RegularExpressions.Regex.Matches(value, @"(\d+(?:\.\d+)?)(ms|h|m|s)");
        if (parts.Count == 0 || string.Concat(parts.Select(p => p.Value)) != value)
        {
            throw new FormatException($"{flag} \"{value}\" is not a duration (for example 24h, 90m or 1h30m)");
        }

        foreach (System.Text.RegularExpressions.Match part in parts)
        {
            var number = double.Parse(part.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
            total += part.Groups[2].Value switch
            {
                "h" => TimeSpan.FromHours(number),
                "m" => TimeSpan.FromMinutes(number),
                "s" => TimeSpan.FromSeconds(number),
                _ => TimeSpan.FromMilliseconds(number),
            };
        }

        return total > TimeSpan.Zero ? total : throw new FormatException($"{flag} \"{value}\" must be above zero");
    }

    private static Option<string> Address(string name, string defaultValue, string description) => new(name)
    {
        Description = description + " HOST:PORT; port 0 lets the OS choose.",
        DefaultValueFactory = _ => defaultValue,
    };
}
