using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Weft.Xds;
using Weft.Xds.Envoy.Extensions.AccessLoggers.File.V3;
using EnvoyAccessLog = Weft.Xds.Envoy.Config.AccessLog.V3.AccessLog;

namespace Weft.Proxy.Telemetry.AccessLog;

/// <summary>
/// One file access log a connection manager, TCP proxy or listener asks for (Istio sends it from mesh
/// <c>accessLogFile</c> and Telemetry's <c>accessLogging</c>): where to write, in what format, and for which entries.
/// <see cref="Key"/> names the destination and format, so equal configurations share one writer; the filter decides
/// per entry.
/// </summary>
/// <param name="Filter">Envoy's access log filter: only entries it matches are written; null writes every entry.</param>
internal sealed record AccessLogConfig(string Path, string Key, AccessLogFormat Format, AccessLogFilter? Filter = null)
{
    /// <summary>Whether an entry passes the filter.</summary>
    public bool Accepts(in AccessLogFacts facts) => Filter?.Matches(facts) ?? true;

    /// <summary>Envoy's own default format, for a file logger that names none.</summary>
    public const string EnvoyDefaultText =
        "[%START_TIME%] \"%REQ(:METHOD)% %REQ(X-ENVOY-ORIGINAL-PATH?:PATH)% %PROTOCOL%\" %RESPONSE_CODE% %RESPONSE_FLAGS% "
        + "%BYTES_RECEIVED% %BYTES_SENT% %DURATION% %RESP(X-ENVOY-UPSTREAM-SERVICE-TIME)% \"%REQ(X-FORWARDED-FOR)%\" "
        + "\"%REQ(USER-AGENT)%\" \"%REQ(X-REQUEST-ID)%\" \"%REQ(:AUTHORITY)%\" \"%UPSTREAM_HOST%\"\n";

    /// <summary>The configuration for a proxy option: a path (<c>-</c> for standard output) and Istio's default format of an encoding.</summary>
    public static AccessLogConfig ForOption(string path, AccessLogEncoding encoding) =>
        new(path, Target(path) + (encoding == AccessLogEncoding.Json ? "|istio-json" : "|istio-text"), AccessLogFormat.Default(encoding));

    /// <summary>
    /// The file loggers of a connection manager's <c>access_log</c>; other loggers are not written by this proxy and are
    /// skipped. A format this proxy cannot evaluate is a <see cref="FormatException"/>.
    /// </summary>
    public static IReadOnlyList<AccessLogConfig> FromXds(IEnumerable<EnvoyAccessLog> logs)
    {
        var configs = new List<AccessLogConfig>();
        foreach (var log in logs)
        {
            if (log.TypedConfig is not { TypeUrl: TypeUrls.FileAccessLog } any)
            {
                continue;
            }

            FileAccessLog file;
            try
            {
                file = any.Unpack<FileAccessLog>();
            }
            catch (InvalidProtocolBufferException e)
            {
                throw new FormatException($"access log {log.Name} does not decode: {e.Message}", e);
            }

            if (file.Path.Length == 0)
            {
                throw new FormatException($"access log {log.Name} has no path");
            }

            var (key, format) = Parse(file);
            configs.Add(new AccessLogConfig(file.Path, Target(file.Path) + "|" + key, format, FilterOf(log)));
        }

        return configs;
    }

    /// <summary>The log's filter; one this proxy cannot apply refuses the log, naming it.</summary>
    private static AccessLogFilter? FilterOf(EnvoyAccessLog log)
    {
        try
        {
            return log.Filter is null ? null : AccessLogFilter.FromXds(log.Filter);
        }
        catch (FormatException e)
        {
            throw new FormatException($"access log {log.Name}: {e.Message}", e);
        }
    }

    private static (string Key, AccessLogFormat Format) Parse(FileAccessLog file)
    {
        switch (file.AccessLogFormatCase)
        {
            case FileAccessLog.AccessLogFormatOneofCase.Format when file.Format.Length > 0:
                return ("text:" + file.Format, AccessLogFormat.Text(file.Format));
            case FileAccessLog.AccessLogFormatOneofCase.JsonFormat:
                return Json(file.JsonFormat);
            case FileAccessLog.AccessLogFormatOneofCase.TypedJsonFormat:
                return Json(file.TypedJsonFormat);
            case FileAccessLog.AccessLogFormatOneofCase.LogFormat:
                var format = file.LogFormat;
                if (format.JsonFormat is { } json)
                {
                    return Json(json);
                }

                var text = format.TextFormatSource?.InlineString is { Length: > 0 } inline ? inline : format.TextFormat;
                if (format.TextFormatSource is { SpecifierCase: not Weft.Xds.Envoy.Config.Core.V3.DataSource.SpecifierOneofCase.InlineString })
                {
                    throw new FormatException("only inline access log formats are supported");
                }

                return text.Length > 0 ? ("text:" + text, AccessLogFormat.Text(text)) : ("text:", AccessLogFormat.Text(EnvoyDefaultText));
            default:
                return ("text:", AccessLogFormat.Text(EnvoyDefaultText));
        }
    }

    private static (string, AccessLogFormat) Json(Struct json)
    {
        var fields = json.Fields
            .Where(f => f.Value.KindCase == Value.KindOneofCase.StringValue)
            .OrderBy(f => f.Key, StringComparer.Ordinal)
            .Select(f => new KeyValuePair<string, string>(f.Key, f.Value.StringValue))
            .ToList();
        return ("json:" + string.Join('\u0001', fields.Select(f => f.Key + "=" + f.Value)), AccessLogFormat.Json(fields));
    }

    /// <summary>Standard output under either of its names.</summary>
    private static string Target(string path) => AccessLogWriter.IsStandardOutput(path) ? "/dev/stdout" : path;
}
