using Google.Protobuf.WellKnownTypes;
using Weft.Control.Model;
using Weft.Control.Push;
using Weft.Xds;
using Weft.Xds.Envoy.Config.AccessLog.V3;
using Weft.Xds.Envoy.Config.Core.V3;
using Weft.Xds.Envoy.Config.Listener.V3;
using Weft.Xds.Envoy.Extensions.AccessLoggers.File.V3;
using Weft.Xds.Envoy.Extensions.AccessLoggers.Filters.Cel.V3;
using Weft.Xds.Envoy.Extensions.Filters.Network.HttpConnectionManager.V3;
using Weft.Xds.Envoy.Extensions.Filters.Network.TcpProxy.V3;

namespace Weft.Control.Generators.Listeners;

/// <summary>
/// The access logs of a proxy's listeners, as istiod writes them: on every connection manager and TCP proxy, and on each
/// listener itself for connections no filter chain takes (a response flag filter on <c>NR</c>, left out under mesh
/// <c>disableEnvoyListenerLog</c>).
/// <list type="bullet">
/// <item>Where Telemetry configures access logging for the proxy (a resource's <c>accessLogging</c>, or mesh
/// <c>defaultProviders.accessLogging</c>), each provider in force for the listener's side (server for inbound listeners,
/// client for outbound and gateway ones; see <see cref="TelemetryLogging"/>) writes a file log, filtered by its CEL
/// expression if it has one.</item>
/// <item>Otherwise mesh <c>accessLogFile</c> does: the format is <c>accessLogFormat</c> (a line feed added to text when
/// missing), or Istio's default text or JSON format by <c>accessLogEncoding</c>. Nothing changes while it is empty.</item>
/// </list>
/// </summary>
internal static class AccessLogging
{
    public const string CelFilterName = "envoy.access_loggers.extension_filters.cel";

    public static IEnumerable<Listener> Apply(IEnumerable<Listener> listeners, PushContext push, ProxyNode proxy)
    {
        var client = TelemetryLogging.For(push, proxy, WorkloadMode.Client);
        var server = proxy.Type == ProxyType.Router ? client : TelemetryLogging.For(push, proxy, WorkloadMode.Server);
        if (push.Mesh.AccessLogFile.Length == 0 && client is not { Count: > 0 } && server is not { Count: > 0 })
        {
            return listeners;
        }

        // Built once per push (the format may be JSON to parse), shared by every proxy's listeners.
        var legacy = push.Mesh.AccessLogFile.Length == 0 ? null : push.Cached("access-log", () => Legacy(push.Mesh));
        var clientLogs = client is { Count: > 0 } ? Telemetry(client, push.Mesh) : legacy;
        var serverLogs = server is { Count: > 0 } ? Telemetry(server, push.Mesh) : legacy;
        return listeners.Select(l => (WorkloadModes.Of(proxy, l) == WorkloadMode.Server ? serverLogs : clientLogs) is { } logs ? WithLogs(l, logs) : l);
    }

    /// <summary>The logs of a listener's chains, and those of the listener itself (empty when listener logs are off).</summary>
    private sealed record LogSet(IReadOnlyList<AccessLog> Chains, IReadOnlyList<AccessLog> Listener);

    private static LogSet Legacy(MeshConfig mesh)
    {
        var log = FromMesh(mesh.AccessLogFile, mesh);
        var unmatched = log.Clone();
        unmatched.Filter = NoRoute();
        return new LogSet([log], mesh.DisableEnvoyListenerLog ? [] : [unmatched]);
    }

    private static LogSet Telemetry(IReadOnlyList<LoggingConfig> configs, MeshConfig mesh)
    {
        var enabled = configs.Where(c => !c.Disabled).ToArray();
        return new LogSet(
            enabled.Select(c => Filtered(c, null)).ToArray(),
            mesh.DisableEnvoyListenerLog ? [] : enabled.Select(c => Filtered(c, NoRoute())).ToArray());
    }

    /// <summary>A provider's log with the listener's filter (if any) and then the provider's expression (if any), both required.</summary>
    private static AccessLog Filtered(LoggingConfig config, AccessLogFilter? listenerFilter)
    {
        var log = config.Log.Clone();
        var filters = new List<AccessLogFilter>(2);
        if (listenerFilter is not null)
        {
            filters.Add(listenerFilter);
        }

        if (config.Expression is { } expression)
        {
            filters.Add(new AccessLogFilter
            {
                ExtensionFilter = new ExtensionFilter { Name = CelFilterName, TypedConfig = Any.Pack(new ExpressionFilter { Expression = expression }) },
            });
        }

        log.Filter = filters.Count switch
        {
            0 => null,
            1 => filters[0],
            _ => new AccessLogFilter { AndFilter = new AndFilter { Filters = { filters } } },
        };
        return log;
    }

    private static AccessLogFilter NoRoute() => new() { ResponseFlagFilter = new ResponseFlagFilter { Flags = { "NR" } } };

    private static Listener WithLogs(Listener built, LogSet logs)
    {
        // A copy: generators may share chains and filters between listeners and pushes.
        var listener = built.Clone();
        listener.AccessLog.Add(logs.Listener.Select(l => l.Clone()));
        foreach (var chain in listener.DefaultFilterChain is { } fallback ? listener.FilterChains.Append(fallback) : listener.FilterChains)
        {
            foreach (var filter in chain.Filters)
            {
                if (filter.TypedConfig is not { } config)
                {
                    continue;
                }

                if (config.Is(HttpConnectionManager.Descriptor))
                {
                    var manager = config.Unpack<HttpConnectionManager>();
                    manager.AccessLog.Add(logs.Chains.Select(l => l.Clone()));
                    filter.TypedConfig = Any.Pack(manager);
                }
                else if (config.Is(TcpProxy.Descriptor))
                {
                    var proxy = config.Unpack<TcpProxy>();
                    proxy.AccessLog.Add(logs.Chains.Select(l => l.Clone()));
                    filter.TypedConfig = Any.Pack(proxy);
                }
            }
        }

        return listener;
    }

    /// <summary>A file log at <paramref name="path"/> in the mesh's access log format (Istio's FileAccessLogFromMeshConfig).</summary>
    public static AccessLog FromMesh(string path, MeshConfig mesh)
    {
        var format = new SubstitutionFormatString();
        if (mesh.AccessLogJson)
        {
            format.JsonFormat = mesh.AccessLogFormat.Length > 0 ? Struct.Parser.ParseJson(mesh.AccessLogFormat) : DefaultJson();
        }
        else
        {
            format.TextFormatSource = new DataSource { InlineString = WithLineFeed(mesh.AccessLogFormat) };
        }

        return File(path, format);
    }

    /// <summary>
    /// A Telemetry provider's file log: the built-in <c>envoy</c> provider without a format of its own writes the mesh's
    /// format; any other writes its <c>logFormat</c> (text, or JSON labels) or Istio's default text format, to its path or
    /// standard output.
    /// </summary>
    public static AccessLog FromProvider(ExtensionProvider provider, FileAccessLogProvider file, MeshConfig mesh)
    {
        var path = file.Path.Length > 0 ? file.Path : "/dev/stdout";
        if (provider.Name == ExtensionProvider.EnvoyName && !file.HasFormat && !file.OmitEmptyValues)
        {
            return FromMesh(path, mesh);
        }

        var format = new SubstitutionFormatString { OmitEmptyValues = file.OmitEmptyValues };
        if (file.Labels is { } labels)
        {
            format.JsonFormat = labels.Fields.Count > 0 ? labels.Clone() : DefaultJson();
        }
        else
        {
            format.TextFormatSource = new DataSource { InlineString = WithLineFeed(file.Text ?? string.Empty) };
        }

        return File(path, format);
    }

    private static AccessLog File(string path, SubstitutionFormatString format) => new()
    {
        Name = "envoy.access_loggers.file",
        TypedConfig = Any.Pack(new FileAccessLog { Path = path, LogFormat = format }),
    };

    /// <summary>A text format with Istio's trailing line feed; Istio's default format when empty.</summary>
    private static string WithLineFeed(string text) =>
        text.Length == 0 ? IstioAccessLogFormats.Text : text.EndsWith('\n') ? text : text + "\n";

    private static Struct DefaultJson()
    {
        var json = new Struct();
        foreach (var (key, value) in IstioAccessLogFormats.Json)
        {
            json.Fields[key] = Value.ForString(value);
        }

        return json;
    }
}
