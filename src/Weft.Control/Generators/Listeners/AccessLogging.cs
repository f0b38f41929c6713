using Google.Protobuf.WellKnownTypes;
using Weft.Control.Model;
using Weft.Control.Push;
using Weft.Xds;
using Weft.Xds.Envoy.Config.AccessLog.V3;
using Weft.Xds.Envoy.Config.Core.V3;
using Weft.Xds.Envoy.Config.Listener.V3;
using Weft.Xds.Envoy.Extensions.AccessLoggers.File.V3;
using Weft.Xds.Envoy.Extensions.Filters.Network.HttpConnectionManager.V3;
using Weft.Xds.Envoy.Extensions.Filters.Network.TcpProxy.V3;

namespace Weft.Control.Generators.Listeners;

/// <summary>
/// Mesh <c>accessLogFile</c>, as istiod applies it: a file access log on every connection manager and TCP proxy of a
/// proxy's listeners, and on each listener itself for connections no filter chain takes (a response flag filter on
/// <c>NR</c>). The format is <c>accessLogFormat</c> (a line feed added to text when missing), or Istio's default text
/// or JSON format by <c>accessLogEncoding</c>. Nothing changes while <c>accessLogFile</c> is empty.
/// </summary>
internal static class AccessLogging
{
    public static IEnumerable<Listener> Apply(IEnumerable<Listener> listeners, PushContext push)
    {
        if (push.Mesh.AccessLogFile.Length == 0)
        {
            return listeners;
        }

        // Built once per push (the format may be JSON to parse), shared by every proxy's listeners.
        var logs = push.Cached("access-log", () => Logs(push.Mesh));
        return listeners.Select(l => WithLogs(l, logs));
    }

    private sealed record LogPair(AccessLog Filters, AccessLog Unmatched);

    private static LogPair Logs(MeshConfig mesh)
    {
        var log = File(mesh);
        var unmatched = log.Clone();
        unmatched.Filter = new AccessLogFilter { ResponseFlagFilter = new ResponseFlagFilter { Flags = { "NR" } } };
        return new LogPair(log, unmatched);
    }

    private static Listener WithLogs(Listener built, LogPair logs)
    {
        // A copy: generators may share chains and filters between listeners and pushes.
        var listener = built.Clone();
        var log = logs.Filters;
        listener.AccessLog.Add(logs.Unmatched.Clone());
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
                    manager.AccessLog.Add(log.Clone());
                    filter.TypedConfig = Any.Pack(manager);
                }
                else if (config.Is(TcpProxy.Descriptor))
                {
                    var proxy = config.Unpack<TcpProxy>();
                    proxy.AccessLog.Add(log.Clone());
                    filter.TypedConfig = Any.Pack(proxy);
                }
            }
        }

        return listener;
    }

    private static AccessLog File(MeshConfig mesh)
    {
        var format = new SubstitutionFormatString();
        if (mesh.AccessLogJson)
        {
            format.JsonFormat = mesh.AccessLogFormat.Length > 0 ? Struct.Parser.ParseJson(mesh.AccessLogFormat) : DefaultJson();
        }
        else
        {
            var text = mesh.AccessLogFormat.Length > 0 ? mesh.AccessLogFormat : IstioAccessLogFormats.Text;
            format.TextFormatSource = new DataSource { InlineString = text.EndsWith('\n') ? text : text + "\n" };
        }

        return new AccessLog
        {
            Name = "envoy.access_loggers.file",
            TypedConfig = Any.Pack(new FileAccessLog { Path = mesh.AccessLogFile, LogFormat = format }),
        };
    }

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
