namespace Weft.Api.Validation.Rules;

/// <summary>
/// Enum fields as Istio reads them: by name, or by number (Istio's decoder accepts both, the CRD schema only names).
/// Each array lists a proto enum's names in number order; absent means the zero value.
/// </summary>
internal static class EnumNames
{
    public static readonly string[] Resolution = ["NONE", "STATIC", "DNS", "DNS_ROUND_ROBIN", "DYNAMIC_DNS"];
    public static readonly string[] Location = ["MESH_EXTERNAL", "MESH_INTERNAL"];
    public static readonly string[] OutboundMode = ["REGISTRY_ONLY", "ALLOW_ANY", "", "ALLOW_ANY_DYNAMIC_DNS"];
    public static readonly string[] CaptureMode = ["DEFAULT", "IPTABLES", "NONE"];
    public static readonly string[] ServerTlsMode = ["PASSTHROUGH", "SIMPLE", "MUTUAL", "AUTO_PASSTHROUGH", "ISTIO_MUTUAL", "OPTIONAL_MUTUAL"];
    public static readonly string[] ClientTlsMode = ["DISABLE", "SIMPLE", "MUTUAL", "ISTIO_MUTUAL"];
    public static readonly string[] ProxyProtocolVersion = ["V1", "V2"];
    public static readonly string[] TlsProtocol = ["TLS_AUTO", "TLSV1_0", "TLSV1_1", "TLSV1_2", "TLSV1_3"];
    public static readonly string[] H2UpgradePolicy = ["DEFAULT", "DO_NOT_UPGRADE", "UPGRADE"];

    public static readonly string[] ApplyTo =
    [
        "INVALID", "LISTENER", "FILTER_CHAIN", "NETWORK_FILTER", "HTTP_FILTER", "ROUTE_CONFIGURATION", "VIRTUAL_HOST",
        "HTTP_ROUTE", "CLUSTER", "EXTENSION_CONFIG", "BOOTSTRAP", "LISTENER_FILTER",
    ];

    public static readonly string[] PatchContext = ["ANY", "SIDECAR_INBOUND", "SIDECAR_OUTBOUND", "GATEWAY", "WAYPOINT"];

    public static readonly string[] Operation =
        ["INVALID", "MERGE", "ADD", "REMOVE", "INSERT_BEFORE", "INSERT_AFTER", "INSERT_FIRST", "REPLACE", "MERGE_AND_REPLACE_LIST"];

    /// <summary>The enum name of <paramref name="value"/>: the zero value when absent, the name when given by number.</summary>
    public static string Of(string? value, string[] names)
    {
        if (string.IsNullOrEmpty(value))
        {
            return names[0];
        }

        if (char.IsAsciiDigit(value[0]) && int.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var number)
            && number < names.Length && names[number].Length > 0)
        {
            return names[number];
        }

        return value;
    }
}
