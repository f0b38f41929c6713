using System.Globalization;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Weft.Api.Documents;

namespace Weft.Control.Model;

/// <summary>
/// Reads Istio's MeshConfig from YAML (the <c>mesh</c> file istiod reads, or the <c>istio</c> ConfigMap holding it under
/// <c>data.mesh</c>) into <see cref="MeshConfig"/>, on top of Istio's defaults. Read: <c>rootNamespace</c>,
/// <c>trustDomain</c>, <c>trustDomainAliases</c>, <c>outboundTrafficPolicy.mode</c>, <c>inboundTrafficPolicy.mode</c>,
/// <c>connectTimeout</c>, <c>protocolDetectionTimeout</c>, <c>enableAutoMtls</c>, <c>h2UpgradePolicy</c>,
/// <c>accessLogFile</c>, <c>accessLogEncoding</c>, <c>accessLogFormat</c>,
/// <c>meshMTLS.minProtocolVersion</c> and <c>cipherSuites</c>, <c>caCertificates[].trustDomains</c>, the
/// ext_authz and <c>envoyFileAccessLog</c> kinds of <c>extensionProviders</c> (other kinds keep their name),
/// <c>defaultProviders</c>, <c>disableEnvoyListenerLog</c> and <c>defaultConfig.proxyHeaders</c>.
/// Other MeshConfig fields (and other ProxyConfig fields) are accepted and not used. A value of the wrong type is a <see cref="FormatException"/> naming the file, line and field.
/// </summary>
public static partial class MeshConfigReader
{
    public static MeshConfig Read(string text, string file, MeshConfig? baseline = null)
    {
        YamlDocument[] documents;
        try
        {
            documents = YamlReader.Read(text, file).Where(d => d.Root is not null).ToArray();
        }
        catch (YamlLoadException e)
        {
            throw new FormatException($"{e.Location}: {e.Message}", e);
        }

        if (documents.Length != 1 || documents[0].Root is not MapNode root)
        {
            throw new FormatException($"{file}: a mesh config is one YAML object (MeshConfig, or the istio ConfigMap holding it under data.mesh)");
        }

        if (root["data"] is MapNode data && data["mesh"] is ScalarNode { Kind: ScalarKind.String } mesh)
        {
            return Read(mesh.Text, file, baseline);
        }

        return Read(root, baseline ?? MeshConfig.Default);
    }

    /// <summary>A MeshConfig object already parsed.</summary>
    public static MeshConfig Read(MapNode root, MeshConfig baseline)
    {
        var mesh = baseline;
        foreach (var entry in root.Entries)
        {
            var field = entry.Key;
            var value = entry.Value;
            mesh = field switch
            {
                "rootNamespace" => mesh with { RootNamespace = String(value, field) },
                "trustDomain" => mesh with { TrustDomain = String(value, field) },
                "trustDomainAliases" => mesh with { TrustDomainAliases = Strings(value, field) },
                "outboundTrafficPolicy" => mesh with { AllowAny = Mode(value, field) != "REGISTRY_ONLY" },
                "inboundTrafficPolicy" => mesh with { InboundToLocalhost = Mode(value, field) == "LOCALHOST" },
                "connectTimeout" => mesh with { ConnectTimeout = Duration(value, field).ToTimeSpan() },
                "protocolDetectionTimeout" => mesh with { ProtocolDetectionTimeout = Duration(value, field).ToTimeSpan() },
                "enableAutoMtls" => mesh with { EnableAutoMtls = Bool(value, field) },
                "h2UpgradePolicy" => mesh with { H2Upgrade = String(value, field) == "UPGRADE" },
                "accessLogFile" => mesh with { AccessLogFile = String(value, field) },
                "accessLogEncoding" => mesh with
                {
                    AccessLogJson = String(value, field) switch
                    {
                        "TEXT" => false,
                        "JSON" => true,
                        var other => throw new FormatException($"{value.Location}: {field}: expected TEXT or JSON, found \"{other}\""),
                    },
                },
                "accessLogFormat" => mesh with { AccessLogFormat = String(value, field) },
                "disableEnvoyListenerLog" => mesh with { DisableEnvoyListenerLog = Bool(value, field) },
                "defaultProviders" => mesh with { DefaultProviders = Defaults(Map(value, field), field) },
                "meshMTLS" => MeshMtls(mesh, Map(value, field), field),
                "caCertificates" => mesh with
                {
                    CaCertificateTrustDomains = Items(value, field)
                        .SelectMany((n, i) => Map(n, $"{field}[{i}]")["trustDomains"] is { } tds ? Strings(tds, $"{field}[{i}].trustDomains") : [])
                        .ToArray(),
                },
                "extensionProviders" => mesh with { ExtensionProviders = Items(value, field).Select((n, i) => Provider(n, $"{field}[{i}]")).ToArray() },
                "defaultConfig" => DefaultConfig(mesh, value, field),
                _ => mesh,
            };
        }

        if (mesh.AccessLogJson && mesh.AccessLogFormat.Length > 0 && root["accessLogFormat"] is { } format)
        {
            try
            {
                Struct.Parser.ParseJson(mesh.AccessLogFormat);
            }
            catch (Exception e) when (e is InvalidProtocolBufferException or InvalidJsonException)
            {
                throw new FormatException($"{format.Location}: accessLogFormat: with accessLogEncoding JSON it must be a JSON object of format strings: {e.Message}", e);
            }
        }

        return mesh;
    }

    private static MeshConfig MeshMtls(MeshConfig mesh, MapNode map, string path)
    {
        foreach (var entry in map.Entries)
        {
            var at = path + "." + entry.Key;
            mesh = entry.Key switch
            {
                "minProtocolVersion" => mesh with
                {
                    MeshMtlsRequiresTls13 = String(entry.Value, at) switch
                    {
                        "TLSV1_3" => true,
                        "TLS_AUTO" or "TLSV1_2" => false,
                        var other => throw new FormatException($"{entry.Value.Location}: {at}: expected one of TLS_AUTO, TLSV1_2, TLSV1_3, found \"{other}\""),
                    },
                },
                "cipherSuites" => mesh with { MeshMtlsCipherSuites = Strings(entry.Value, at) },
                _ => mesh,
            };
        }

        return mesh;
    }

    private static ExtensionProvider Provider(Node node, string path)
    {
        var map = Map(node, path);
        var provider = new ExtensionProvider { Name = map["name"] is { } name ? String(name, path + ".name") : string.Empty };
        foreach (var entry in map.Entries.Where(e => e.Key != "name"))
        {
            var at = path + "." + entry.Key;
            provider = entry.Key switch
            {
                "envoyExtAuthzHttp" => provider with { Kind = entry.Key, EnvoyExtAuthzHttp = Http(Map(entry.Value, at), at) },
                "envoyExtAuthzGrpc" => provider with { Kind = entry.Key, EnvoyExtAuthzGrpc = Grpc(Map(entry.Value, at), at) },
                "envoyFileAccessLog" => provider with { Kind = entry.Key, EnvoyFileAccessLog = FileLog(Map(entry.Value, at), at) },
                _ => provider with { Kind = entry.Key },
            };
        }

        return provider;
    }

    private static DefaultProviders Defaults(MapNode map, string path)
    {
        var defaults = new DefaultProviders();
        foreach (var entry in map.Entries)
        {
            var at = path + "." + entry.Key;
            defaults = entry.Key switch
            {
                "metrics" => defaults with { Metrics = Strings(entry.Value, at) },
                "accessLogging" => defaults with { AccessLogging = Strings(entry.Value, at) },
                "tracing" => defaults with { Tracing = Strings(entry.Value, at) },
                _ => defaults,
            };
        }

        return defaults;
    }

    private static FileAccessLogProvider FileLog(MapNode map, string path)
    {
        var file = new FileAccessLogProvider();
        foreach (var entry in map.Entries)
        {
            var at = path + "." + entry.Key;
            file = entry.Key switch
            {
                "path" => file with { Path = String(entry.Value, at) },
                "omitEmptyValues" => file with { OmitEmptyValues = Bool(entry.Value, at) },
                "logFormat" => LogFormat(file, Map(entry.Value, at), at),
                _ => file,
            };
        }

        return file;
    }

    private static FileAccessLogProvider LogFormat(FileAccessLogProvider file, MapNode map, string path)
    {
        if (map["text"] is { } text && map["labels"] is not null)
        {
            throw new FormatException($"{text.Location}: {path}: give text or labels, not both");
        }

        if (map["text"] is { } format)
        {
            return file with { Text = String(format, path + ".text") };
        }

        if (map["labels"] is { } labels)
        {
            var json = new Struct();
            foreach (var entry in Map(labels, path + ".labels").Entries)
            {
                json.Fields[entry.Key] = Value.ForString(String(entry.Value, path + ".labels." + entry.Key));
            }

            return file with { Labels = json };
        }

        return file;
    }

    private static ExtAuthzHttpProvider Http(MapNode map, string path)
    {
        var http = Common(new ExtAuthzHttpProvider(), map, path);
        foreach (var entry in map.Entries)
        {
            var at = path + "." + entry.Key;
            http = entry.Key switch
            {
                "pathPrefix" => http with { PathPrefix = String(entry.Value, at) },
                "includeRequestHeadersInCheck" => http with { IncludeRequestHeadersInCheck = Strings(entry.Value, at) },
                "includeHeadersInCheck" => http with { IncludeHeadersInCheck = Strings(entry.Value, at) },
                "includeAdditionalHeadersInCheck" => http with
                {
                    IncludeAdditionalHeadersInCheck = Map(entry.Value, at).Entries.ToDictionary(e => e.Key, e => String(e.Value, at + "." + e.Key), StringComparer.Ordinal),
                },
                "headersToUpstreamOnAllow" => http with { HeadersToUpstreamOnAllow = Strings(entry.Value, at) },
                "headersToDownstreamOnDeny" => http with { HeadersToDownstreamOnDeny = Strings(entry.Value, at) },
                "headersToDownstreamOnAllow" => http with { HeadersToDownstreamOnAllow = Strings(entry.Value, at) },
                _ => http,
            };
        }

        return http;
    }

    private static ExtAuthzGrpcProvider Grpc(MapNode map, string path) => Common(new ExtAuthzGrpcProvider(), map, path);

    private static T Common<T>(T provider, MapNode map, string path)
        where T : ExtAuthzProvider
    {
        foreach (var entry in map.Entries)
        {
            var at = path + "." + entry.Key;
            provider = entry.Key switch
            {
                "service" => provider with { Service = String(entry.Value, at) },
                "port" => provider with { Port = (uint)Math.Clamp(Long(entry.Value, at), 0, uint.MaxValue) },
                "timeout" => provider with { Timeout = Duration(entry.Value, at) },
                "failOpen" => provider with { FailOpen = Bool(entry.Value, at) },
                "statusOnError" => provider with { StatusOnError = String(entry.Value, at) },
                "includeRequestBodyInCheck" => provider with { IncludeRequestBodyInCheck = Body(Map(entry.Value, at), at) },
                _ => provider,
            };
        }

        return provider;
    }

    private static ExtAuthzRequestBody Body(MapNode map, string path) => new(
        map["maxRequestBytes"] is { } max ? (uint)Math.Clamp(Long(max, path + ".maxRequestBytes"), 0, uint.MaxValue) : 0,
        map["allowPartialMessage"] is { } partial && Bool(partial, path + ".allowPartialMessage"),
        map["packAsBytes"] is { } bytes && Bool(bytes, path + ".packAsBytes"));

    private static string Mode(Node node, string path) => Map(node, path)["mode"] is { } mode ? String(mode, path + ".mode") : string.Empty;

    private static MapNode Map(Node node, string path) => node as MapNode ?? throw Wrong(node, path, "an object");

    private static IReadOnlyList<Node> Items(Node node, string path) => node switch
    {
        ListNode list => list.Items,
        ScalarNode { IsNull: true } => [],
        _ => throw Wrong(node, path, "a list"),
    };

    private static IReadOnlyList<string> Strings(Node node, string path) => Items(node, path).Select((n, i) => String(n, $"{path}[{i}]")).ToArray();

    /// <summary>Any scalar as its text: Istio's JSON decoding takes <c>statusOnError: 403</c> as well as <c>"403"</c>.</summary>
    private static string String(Node node, string path) => node is ScalarNode { IsNull: false } s ? s.Text : throw Wrong(node, path, "a string");

    private static long Long(Node node, string path) => node is ScalarNode { Kind: ScalarKind.Int } s
        ? s.AsLong()
        : node is ScalarNode { Kind: ScalarKind.String } t && long.TryParse(t.Text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var parsed)
            ? parsed
            : throw Wrong(node, path, "an integer");

    private static bool Bool(Node node, string path) => node is ScalarNode { Kind: ScalarKind.Bool } s ? s.AsBool() : throw Wrong(node, path, "true or false");

    /// <summary>A protobuf JSON duration: seconds with up to nine decimals and an <c>s</c>, e.g. <c>10s</c> or <c>0.002s</c>.</summary>
    private static Duration Duration(Node node, string path)
    {
        var text = String(node, path);
        if (!DurationSyntax().IsMatch(text))
        {
            throw Wrong(node, path, "a duration such as 10s or 0.5s");
        }

        try
        {
            return Google.Protobuf.WellKnownTypes.Duration.Parser.ParseJson("\"" + text + "\"");
        }
        catch (InvalidProtocolBufferException)
        {
            throw Wrong(node, path, "a duration such as 10s or 0.5s");
        }
    }

    private static FormatException Wrong(Node node, string path, string expected) =>
        new($"{node.Location}: {path}: expected {expected}, found {node.TypeName}");

    [System.Text.RegularExpressions.GeneratedRegex(@"^-?[0-9]+(\.[0-9]{1,9})?s$")]
    private static partial System.Text.RegularExpressions.Regex DurationSyntax();
}
