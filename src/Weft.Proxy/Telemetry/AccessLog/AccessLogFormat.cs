using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Weft.Proxy.Telemetry.AccessLog;

/// <summary>
/// An Envoy access log format compiled once: a text format string (<c>[%START_TIME%] "%REQ(:METHOD)% ..."</c>) or a JSON
/// object whose values are such strings. Commands: START_TIME, REQ(H?ALT):N, RESP(H):N, PROTOCOL, RESPONSE_CODE,
/// RESPONSE_FLAGS, RESPONSE_CODE_DETAILS, CONNECTION_TERMINATION_DETAILS, UPSTREAM_TRANSPORT_FAILURE_REASON,
/// BYTES_RECEIVED, BYTES_SENT, DURATION, UPSTREAM_HOST, UPSTREAM_CLUSTER(_RAW), UPSTREAM_LOCAL_ADDRESS,
/// DOWNSTREAM_LOCAL_ADDRESS, DOWNSTREAM_REMOTE_ADDRESS(_WITHOUT_PORT), REQUESTED_SERVER_NAME, ROUTE_NAME. A missing value
/// prints <c>-</c> in text and <c>null</c> in JSON; in JSON a value that is one numeric command is a number, as Envoy
/// types it. An unknown command is a <see cref="FormatException"/>.
/// </summary>
internal sealed class AccessLogFormat
{
    /// <summary>Istio's default text format (mesh <c>accessLogFormat</c> empty, <c>accessLogEncoding: TEXT</c>).</summary>
    public const string IstioText = Weft.Xds.IstioAccessLogFormats.Text;

    /// <summary>Istio's default JSON format (<c>accessLogEncoding: JSON</c>): key and format string.</summary>
    public static readonly IReadOnlyList<KeyValuePair<string, string>> IstioJson = Weft.Xds.IstioAccessLogFormats.Json;

    private readonly Segment[]? _text;
    private readonly (string Key, Segment[] Value)[]? _json;

    private AccessLogFormat(Segment[]? text, (string, Segment[])[]? json, List<string> request, List<string> response)
    {
        _text = text;
        _json = json;
        RequestHeaders = request;
        ResponseHeaders = response;
    }

    /// <summary>The request headers (lower case; pseudo-headers such as <c>:path</c> included) whose values an entry captures, in order.</summary>
    public IReadOnlyList<string> RequestHeaders { get; }

    /// <summary>The response headers whose values an entry captures, in order.</summary>
    public IReadOnlyList<string> ResponseHeaders { get; }

    public bool IsJson => _json is not null;

    public static AccessLogFormat Default(AccessLogEncoding encoding) =>
        encoding == AccessLogEncoding.Json ? Json(IstioJson) : Text(IstioText);

    /// <summary>A text format; a line feed is added when it has none, as Istio does.</summary>
    public static AccessLogFormat Text(string format)
    {
        var (request, response) = (new List<string>(), new List<string>());
        return new AccessLogFormat(Parse(format.EndsWith('\n') ? format : format + "\n", request, response), null, request, response);
    }

    public static AccessLogFormat Json(IEnumerable<KeyValuePair<string, string>> fields)
    {
        var (request, response) = (new List<string>(), new List<string>());
        var json = fields.Select(f => (f.Key, Parse(f.Value, request, response))).ToArray();
        return new AccessLogFormat(null, json, request, response);
    }

    /// <summary>Appends the entry as one line, line feed included.</summary>
    public void Write(StringBuilder line, AccessLogEntry entry)
    {
        if (_text is not null)
        {
            foreach (var segment in _text)
            {
                line.Append(segment.Value(entry) is { Length: > 0 } value ? value : "-");
            }

            return;
        }

        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            foreach (var (key, value) in _json!)
            {
                if (value is [{ Numeric: true } number])
                {
                    json.WriteNumber(key, long.Parse(number.Value(entry)!, CultureInfo.InvariantCulture));
                }
                else if (value is [{ IsLiteral: false } only] && only.Value(entry) is not { Length: > 0 })
                {
                    json.WriteNull(key);
                }
                else
                {
                    json.WriteString(key, string.Concat(value.Select(s => s.Value(entry) is { Length: > 0 } v ? v : "-")));
                }
            }

            json.WriteEndObject();
        }

        line.Append(Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length)).Append('\n');
    }

    private static Segment[] Parse(string format, List<string> request, List<string> response)
    {
        var segments = new List<Segment>();
        var literal = new StringBuilder();
        for (var i = 0; i < format.Length; i++)
        {
            if (format[i] != '%')
            {
                literal.Append(format[i]);
                continue;
            }

            var end = format.IndexOf('%', i + 1);
            if (end < 0)
            {
                throw new FormatException($"the access log format has an unterminated command at position {i}");
            }

            if (end == i + 1)
            {
                // "%%" is a literal percent sign.
                literal.Append('%');
                i = end;
                continue;
            }

            if (literal.Length > 0)
            {
                segments.Add(Segment.Literal(literal.ToString()));
                literal.Clear();
            }

            segments.Add(Command(format[(i + 1)..end], request, response));
            i = end;
        }

        if (literal.Length > 0)
        {
            segments.Add(Segment.Literal(literal.ToString()));
        }

        return segments.ToArray();
    }

    private static Segment Command(string command, List<string> request, List<string> response)
    {
        var maxLength = 0;
        var colon = command.LastIndexOf(':');
        if (colon > 0 && command.LastIndexOf(')') < colon && int.TryParse(command[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var max))
        {
            (command, maxLength) = (command[..colon], max);
        }

        var paren = command.IndexOf('(');
        var name = paren < 0 ? command : command[..paren];
        var argument = paren < 0 ? string.Empty : command[(paren + 1)..^1];
        Func<AccessLogEntry, string?> value = name switch
        {
            "START_TIME" => e => e.StartTime.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
            "REQ" => Header(argument, request, e => e.RequestHeaders),
            "RESP" => Header(argument, response, e => e.ResponseHeaders),
            "PROTOCOL" => e => e.Protocol,
            "RESPONSE_CODE" => e => e.ResponseCode.ToString(CultureInfo.InvariantCulture),
            "RESPONSE_FLAGS" => e => e.ResponseFlags,
            "RESPONSE_CODE_DETAILS" => e => e.ResponseCodeDetails,
            "BYTES_RECEIVED" => e => e.BytesReceived.ToString(CultureInfo.InvariantCulture),
            "BYTES_SENT" => e => e.BytesSent.ToString(CultureInfo.InvariantCulture),
            "DURATION" => e => e.DurationMs.ToString(CultureInfo.InvariantCulture),
            "UPSTREAM_HOST" => e => e.UpstreamHost,
            "UPSTREAM_CLUSTER" or "UPSTREAM_CLUSTER_RAW" => e => e.UpstreamCluster,
            "DOWNSTREAM_LOCAL_ADDRESS" => e => e.DownstreamLocalAddress,
            "DOWNSTREAM_REMOTE_ADDRESS" => e => e.DownstreamRemoteAddress,
            "DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT" => e => Snapshot.HostPort.StripPort(e.DownstreamRemoteAddress).Trim('[', ']'),
            "DOWNSTREAM_LOCAL_ADDRESS_WITHOUT_PORT" => e => Snapshot.HostPort.StripPort(e.DownstreamLocalAddress).Trim('[', ']'),
            "ROUTE_NAME" => e => e.RouteName,

            // Not known to a plaintext proxy that keeps no upstream socket details: always missing.
            "CONNECTION_TERMINATION_DETAILS" => e => e.ConnectionTerminationDetails,
            "UPSTREAM_TRANSPORT_FAILURE_REASON" or "UPSTREAM_LOCAL_ADDRESS" or "REQUESTED_SERVER_NAME" => _ => null,
            _ => throw new FormatException($"the access log command %{command}% is not supported"),
        };
        var numeric = name is "RESPONSE_CODE" or "BYTES_RECEIVED" or "BYTES_SENT" or "DURATION";
        return new Segment(null, maxLength > 0 ? e => Truncate(value(e), maxLength) : value, numeric);
    }

    private static Func<AccessLogEntry, string?> Header(string argument, List<string> names, Func<AccessLogEntry, string?[]> values)
    {
        if (argument.Length == 0)
        {
            throw new FormatException("REQ() and RESP() need a header name");
        }

        var question = argument.IndexOf('?', StringComparison.Ordinal);
        var first = Index(names, question < 0 ? argument : argument[..question]);
        var second = question < 0 ? -1 : Index(names, argument[(question + 1)..]);
        return e => values(e)[first] is { Length: > 0 } v ? v : second >= 0 ? values(e)[second] : null;
    }

    private static int Index(List<string> names, string header)
    {
        header = header.ToLowerInvariant();
        var index = names.IndexOf(header);
        if (index < 0)
        {
            names.Add(header);
            index = names.Count - 1;
        }

        return index;
    }

    private static string? Truncate(string? value, int max) => value is not null && value.Length > max ? value[..max] : value;

    private sealed record Segment(string? Text, Func<AccessLogEntry, string?> Value, bool Numeric)
    {
        public bool IsLiteral => Text is not null;

        public static Segment Literal(string text) => new(text, _ => text, false);
    }
}
