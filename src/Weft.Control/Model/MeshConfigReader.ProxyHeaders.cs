using System.Globalization;
using Google.Protobuf.WellKnownTypes;
using Weft.Api.Documents;
using ForwardClientCertDetails = Weft.Xds.Envoy.Extensions.Filters.Network.HttpConnectionManager.V3.HttpConnectionManager.Types.ForwardClientCertDetails;

namespace Weft.Control.Model;

/// <summary>
/// ProxyConfig's <c>proxyHeaders</c>, from the mesh's <c>defaultConfig</c> or from a proxy's <c>PROXY_CONFIG</c> node
/// metadata; fields it does not know are accepted, as Istio accepts them.
/// </summary>
public static partial class MeshConfigReader
{
    /// <summary>
    /// The proxyHeaders of a proxy's own ProxyConfig, node metadata <c>PROXY_CONFIG</c> (a Struct with ProxyConfig's JSON
    /// field names): <see cref="ProxyHeaders.Default"/> when it has none. A value of the wrong type is a
    /// <see cref="FormatException"/> naming <paramref name="source"/> and the field.
    /// </summary>
    public static ProxyHeaders ReadProxyConfigHeaders(Value proxyConfig, string source)
    {
        var at = new SourceLocation(source, 0, 0);
        return Map(NodeOf(proxyConfig, at), "PROXY_CONFIG")["proxyHeaders"] is { } headers ? ReadProxyHeaders(headers, "PROXY_CONFIG.proxyHeaders") : ProxyHeaders.Default;
    }

    /// <summary><c>defaultConfig</c>, the ProxyConfig of proxies that send none: only its proxyHeaders are used.</summary>
    private static MeshConfig DefaultConfig(MeshConfig mesh, Node node, string path) =>
        node is ScalarNode { IsNull: true } || Map(node, path)["proxyHeaders"] is not { } headers
            ? mesh
            : mesh with { ProxyHeaders = ReadProxyHeaders(headers, path + ".proxyHeaders") };

    private static ProxyHeaders ReadProxyHeaders(Node node, string path)
    {
        var headers = ProxyHeaders.Default;
        if (node is ScalarNode { IsNull: true })
        {
            return headers;
        }

        foreach (var entry in Map(node, path).Entries)
        {
            var at = path + "." + entry.Key;
            headers = entry.Key switch
            {
                "forwardedClientCert" => headers with { ForwardedClientCert = ForwardedClientCert(entry.Value, at) },
                "setCurrentClientCertDetails" => headers with { SetCurrentClientCertDetails = CertDetails(entry.Value, at) },
                "requestId" => headers with { RequestIdDisabled = Disabled(entry.Value, at) },
                "server" => headers with
                {
                    ServerDisabled = Disabled(entry.Value, at),
                    ServerValue = Optional(entry.Value, "value", at) is { } value ? String(value, at + ".value") : string.Empty,
                },
                "attemptCount" => headers with { AttemptCountDisabled = Disabled(entry.Value, at) },
                "envoyDebugHeaders" => headers with { EnvoyDebugHeadersDisabled = Disabled(entry.Value, at) },
                "metadataExchangeHeaders" => headers with
                {
                    MetadataExchangeInMeshOnly = Optional(entry.Value, "mode", at) is { } mode && String(mode, at + ".mode") switch
                    {
                        "IN_MESH" => true,
                        "UNDEFINED" => false,
                        var other => throw new FormatException($"{mode.Location}: {at}.mode: expected UNDEFINED or IN_MESH, found \"{other}\""),
                    },
                },
                _ => headers,
            };
        }

        return headers;
    }

    /// <summary>Istio's ForwardClientCertDetails by name; UNDEFINED leaves Istio's default.</summary>
    private static ForwardClientCertDetails? ForwardedClientCert(Node node, string path) => String(node, path) switch
    {
        "UNDEFINED" => null,
        "SANITIZE" => ForwardClientCertDetails.Sanitize,
        "FORWARD_ONLY" => ForwardClientCertDetails.ForwardOnly,
        "APPEND_FORWARD" => ForwardClientCertDetails.AppendForward,
        "SANITIZE_SET" => ForwardClientCertDetails.SanitizeSet,
        "ALWAYS_FORWARD_ONLY" => ForwardClientCertDetails.AlwaysForwardOnly,
        var other => throw new FormatException(
            $"{node.Location}: {path}: expected one of UNDEFINED, SANITIZE, FORWARD_ONLY, APPEND_FORWARD, SANITIZE_SET, ALWAYS_FORWARD_ONLY, found \"{other}\""),
    };

    private static ClientCertDetails CertDetails(Node node, string path)
    {
        bool? Field(string name) => Optional(node, name, path) is { } value ? Bool(value, path + "." + name) : null;
        return new ClientCertDetails(Field("subject"), Field("cert"), Field("chain"), Field("dns"), Field("uri"));
    }

    /// <summary>The <c>disabled</c> BoolValue of a header's setting; false when unset.</summary>
    private static bool Disabled(Node node, string path) => Optional(node, "disabled", path) is { } disabled && Bool(disabled, path + ".disabled");

    /// <summary>A field of an object, null when absent or null (a null object has none).</summary>
    private static Node? Optional(Node node, string field, string path) =>
        node is ScalarNode { IsNull: true } || Map(node, path)[field] is not { } value || value is ScalarNode { IsNull: true } ? null : value;

    /// <summary>A Struct value as the YAML node it would have been read as, every part at <paramref name="at"/>.</summary>
    private static Node NodeOf(Value value, SourceLocation at) => value.KindCase switch
    {
        Value.KindOneofCase.StructValue => new MapNode(at, value.StructValue.Fields.Select(f => new MapEntry(f.Key, at, NodeOf(f.Value, at))).ToArray()),
        Value.KindOneofCase.ListValue => new ListNode(at, value.ListValue.Values.Select(v => NodeOf(v, at)).ToArray()),
        Value.KindOneofCase.StringValue => new ScalarNode(at, value.StringValue, ScalarKind.String),
        Value.KindOneofCase.BoolValue => new ScalarNode(at, value.BoolValue ? "true" : "false", ScalarKind.Bool),
        Value.KindOneofCase.NumberValue => new ScalarNode(at, value.NumberValue.ToString("R", CultureInfo.InvariantCulture), ScalarKind.Float),
        _ => new ScalarNode(at, "null", ScalarKind.Null),
    };
}
