using Google.Protobuf;
using Weft.Api.Model.Networking;
using Weft.Xds.Envoy.Config.Core.V3;
using Weft.Xds.Envoy.Config.Route.V3;

namespace Weft.Control.Generators.Routes;

/// <summary>A VirtualService <c>directResponse</c>: Envoy answers the request itself.</summary>
internal static class DirectResponses
{
    /// <summary>A <c>directResponse</c>: the status, and the body as text or as bytes (given base64 in the YAML).</summary>
    public static DirectResponseAction Translate(HTTPDirectResponse response)
    {
        var action = new DirectResponseAction { Status = (uint)(response.Status ?? 0) };
        if (response.Body?.String is { } text)
        {
            action.Body = new DataSource { InlineString = text };
        }
        else if (response.Body?.Bytes is { } bytes && Base64(bytes) is { } decoded)
        {
            action.Body = new DataSource { InlineBytes = ByteString.CopyFrom(decoded) };
        }

        return action;
    }

    /// <summary>Bytes as protobuf's JSON mapping accepts them: standard or URL-safe base64, padded or not.</summary>
    private static byte[]? Base64(string text)
    {
        var standard = text.Replace('-', '+').Replace('_', '/');
        standard = standard.PadRight(standard.Length + ((4 - (standard.Length % 4)) % 4), '=');
        var buffer = new byte[standard.Length];
        return Convert.TryFromBase64String(standard, buffer, out var written) ? buffer[..written] : null;
    }
}
