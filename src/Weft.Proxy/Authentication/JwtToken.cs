using System.Text;
using System.Text.Json;
using Google.Protobuf.WellKnownTypes;

namespace Weft.Proxy.Authentication;

/// <summary>A JWT in compact form (RFC 7519), decoded but not yet verified.</summary>
internal sealed class JwtToken
{
    private JwtToken(string raw, string alg, string? kid, JsonElement payload, string payloadSegment, byte[] signingInput, byte[] signature)
    {
        Raw = raw;
        Alg = alg;
        Kid = kid;
        Payload = payload;
        PayloadSegment = payloadSegment;
        SigningInput = signingInput;
        Signature = signature;
    }

    public string Raw { get; }

    public string Alg { get; }

    public string? Kid { get; }

    /// <summary>The claims, a JSON object.</summary>
    public JsonElement Payload { get; }

    /// <summary>The payload as it was sent (base64url), what <c>forward_payload_header</c> carries.</summary>
    public string PayloadSegment { get; }

    public byte[] SigningInput { get; }

    public byte[] Signature { get; }

    public string? Issuer => Text("iss");

    /// <summary>The audiences: <c>aud</c> as a string or an array of strings.</summary>
    public IEnumerable<string> Audiences => !Payload.TryGetProperty("aud", out var aud) ? []
        : aud.ValueKind == JsonValueKind.String ? [aud.GetString()!]
        : aud.ValueKind == JsonValueKind.Array ? aud.EnumerateArray().Where(a => a.ValueKind == JsonValueKind.String).Select(a => a.GetString()!)
        : [];

    public long? Expires => Seconds("exp");

    public long? NotBefore => Seconds("nbf");

    public static JwtStatus TryParse(string raw, out JwtToken? token)
    {
        token = null;
        var first = raw.IndexOf('.');
        var last = raw.LastIndexOf('.');
        if (first <= 0 || last == first || raw.IndexOf('.', first + 1) != last || last == raw.Length - 1)
        {
            return JwtStatus.BadFormat;
        }

        if (!Base64Url.TryDecode(raw.AsSpan(0, first), out var header))
        {
            return JwtStatus.HeaderBadBase64;
        }

        string alg;
        string? kid;
        try
        {
            using var document = JsonDocument.Parse(header);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return JwtStatus.HeaderBadJson;
            }

            if (!document.RootElement.TryGetProperty("alg", out var algValue) || algValue.ValueKind != JsonValueKind.String)
            {
                return JwtStatus.HeaderBadAlg;
            }

            alg = algValue.GetString()!;
            kid = document.RootElement.TryGetProperty("kid", out var kidValue) && kidValue.ValueKind == JsonValueKind.String ? kidValue.GetString() : null;
        }
        catch (JsonException)
        {
            return JwtStatus.HeaderBadJson;
        }

        if (!JsonWebKey.Supported(alg))
        {
            return JwtStatus.AlgNotImplemented;
        }

        var payloadSegment = raw[(first + 1)..last];
        if (!Base64Url.TryDecode(payloadSegment, out var payloadBytes))
        {
            return JwtStatus.PayloadBadBase64;
        }

        JsonElement payload;
        try
        {
            using var document = JsonDocument.Parse(payloadBytes);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return JwtStatus.PayloadBadJson;
            }

            payload = document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return JwtStatus.PayloadBadJson;
        }

        if (!Base64Url.TryDecode(raw.AsSpan(last + 1), out var signature))
        {
            return JwtStatus.SignatureBadBase64;
        }

        token = new JwtToken(raw, alg, kid, payload, payloadSegment, Encoding.ASCII.GetBytes(raw, 0, last), signature);
        return JwtStatus.Ok;
    }

    /// <summary>The claims as a protobuf Struct (dynamic metadata); string claims named in <paramref name="spaceDelimited"/> become lists.</summary>
    public Struct PayloadStruct(IReadOnlySet<string> spaceDelimited)
    {
        var result = new Struct();
        foreach (var claim in Payload.EnumerateObject())
        {
            result.Fields[claim.Name] = spaceDelimited.Contains(claim.Name) && claim.Value.ValueKind == JsonValueKind.String
                ? Value.ForList(claim.Value.GetString()!.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(Value.ForString).ToArray())
                : ToValue(claim.Value);
        }

        return result;
    }

    /// <summary>A claim as a header value: strings as they are, numbers and booleans as written; null for other kinds.</summary>
    public string? ClaimText(string name) => Payload.TryGetProperty(name, out var value)
        ? value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => value.GetRawText(),
            _ => null,
        }
        : null;

    private string? Text(string name) =>
        Payload.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private long? Seconds(string name) =>
        Payload.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number
            ? value.TryGetInt64(out var whole) ? whole : (long)Math.Floor(value.GetDouble())
            : null;

    private static Value ToValue(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.String => Value.ForString(element.GetString()!),
        JsonValueKind.Number => Value.ForNumber(element.GetDouble()),
        JsonValueKind.True => Value.ForBool(true),
        JsonValueKind.False => Value.ForBool(false),
        JsonValueKind.Array => Value.ForList(element.EnumerateArray().Select(ToValue).ToArray()),
        JsonValueKind.Object => Value.ForStruct(ToStruct(element)),
        _ => Value.ForNull(),
    };

    private static Struct ToStruct(JsonElement element)
    {
        var result = new Struct();
        foreach (var property in element.EnumerateObject())
        {
            result.Fields[property.Name] = ToValue(property.Value);
        }

        return result;
    }
}
