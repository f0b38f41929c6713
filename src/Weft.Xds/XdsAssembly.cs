namespace Weft.Xds;

/// <summary>
/// Weft's own .proto subset of Envoy's v3 API (names and field numbers equal Envoy's) and xDS helpers.
/// The protocol code arrives with the control plane; this marker lets the proxy and control plane bind to it now.
/// </summary>
public static class XdsAssembly
{
    /// <summary>The prefix of every xDS type URL.</summary>
    public const string TypeUrlPrefix = "type.googleapis.com/";
}
