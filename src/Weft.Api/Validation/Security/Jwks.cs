using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Weft.Api.Validation.Security;

/// <summary>
/// Inline JWKS as Istio's validation reads it (lestrrat-go/jwx v1 <c>jwk.Parse</c>): the first JSON value must be an
/// object; with a <c>keys</c> member each entry is a key, without one the object itself is the key. A key's
/// <c>kty</c> (RSA, EC, OKP, oct) chooses its fields; a <c>d</c> member makes it private. Known fields must have
/// the right JSON type, binary fields must be base64 (URL or standard, padded or not), certificates must parse, and
/// the required fields must be present. Nothing cryptographic is checked beyond that, as in jwx.
/// </summary>
internal static class Jwks
{
    /// <summary>What parsing found: null error when it parsed, and for each key whether it holds private material.</summary>
    public readonly record struct Result(string? Error, IReadOnlyList<bool> PrivateKeys);

    private static readonly string[] StringFields = ["alg", "kid", "use", "x5t", "x5t#S256", "x5u"];
    private static readonly string[] RsaPrivateBytes = ["d", "dp", "dq", "e", "n", "p", "q", "qi"];
    private static readonly string[] RsaPublicBytes = ["e", "n"];
    private static readonly string[] RsaPrivateRequired = ["d", "e", "n"];
    private static readonly string[] EcPrivateBytes = ["d", "x", "y"];
    private static readonly string[] EcPublicBytes = ["x", "y"];
    private static readonly string[] EcPrivateRequired = ["crv", "d", "x", "y"];
    private static readonly string[] EcPublicRequired = ["crv", "x", "y"];
    private static readonly string[] OkpPrivateBytes = ["d", "x"];
    private static readonly string[] OkpPublicBytes = ["x"];
    private static readonly string[] OkpPrivateRequired = ["crv", "d", "x"];
    private static readonly string[] OkpPublicRequired = ["crv", "x"];
    private static readonly string[] OctBytes = ["k"];

    public static Result Parse(string text)
    {
        JsonValue root;
        try
        {
            root = new JsonReader(text).ReadFirstValue();
        }
        catch (FormatException e)
        {
            return new Result("failed to unmarshal JWK set: " + e.Message, []);
        }

        if (root.Kind != JsonKind.Object)
        {
            return new Result("failed to unmarshal JWK set: " + (root.Kind == JsonKind.Array ? "expected '{', but got '['" : "error reading token: EOF"), []);
        }

        var privates = new List<bool>();
        var sawKeys = false;
        foreach (var (name, value) in root.Members!)
        {
            if (name != "keys")
            {
                continue;
            }

            sawKeys = true;
            if (value.Kind == JsonKind.Null)
            {
                continue;
            }

            if (value.Kind != JsonKind.Array)
            {
                return new Result($"failed to unmarshal JWK set: failed to decode \"keys\": json: cannot unmarshal {value.TypeName} into Go value of type []json.RawMessage", []);
            }

            for (var i = 0; i < value.Items!.Count; i++)
            {
                if (ParseKey(value.Items[i], out var isPrivate) is { } keyError)
                {
                    return new Result($"failed to unmarshal JWK set: failed to decode key #{i} in \"keys\": {keyError}", []);
                }

                privates.Add(isPrivate);
            }
        }

        if (!sawKeys)
        {
            if (ParseKey(root, out var isPrivate) is { } keyError)
            {
                return new Result($"failed to unmarshal JWK set: failed to parse sole key in key set: {keyError}", []);
            }

            privates.Add(isPrivate);
        }

        return new Result(null, privates);
    }

    private static string? ParseKey(JsonValue key, out bool isPrivate)
    {
        isPrivate = false;
        if (key.Kind is not (JsonKind.Object or JsonKind.Null))
        {
            return $"failed to unmarshal JSON into key hint: json: cannot unmarshal {key.TypeName} into Go struct";
        }

        // The hint is read the way Go's encoding/json fills a struct: names match case-insensitively, the last wins,
        // and null leaves the field as it was.
        var kty = string.Empty;
        var hasD = false;
        foreach (var (name, value) in key.Members ?? [])
        {
            if (name.Equals("kty", StringComparison.OrdinalIgnoreCase))
            {
                if (value.Kind == JsonKind.String)
                {
                    kty = value.Text!;
                }
                else if (value.Kind != JsonKind.Null)
                {
                    return $"failed to unmarshal JSON into key hint: json: cannot unmarshal {value.TypeName} into Go struct field .kty of type string";
                }
            }
            else if (name.Equals("d", StringComparison.OrdinalIgnoreCase))
            {
                hasD = true;
            }
        }

        string[] bytesFields;
        string[] required;
        var hasCurve = false;
        string typeName;
        switch (kty)
        {
            case "RSA":
                isPrivate = hasD;
                bytesFields = hasD ? RsaPrivateBytes : RsaPublicBytes;
                required = hasD ? RsaPrivateRequired : RsaPublicBytes;
                typeName = hasD ? "*jwk.rsaPrivateKey" : "*jwk.rsaPublicKey";
                break;
            case "EC":
                isPrivate = hasD;
                bytesFields = hasD ? EcPrivateBytes : EcPublicBytes;
                required = hasD ? EcPrivateRequired : EcPublicRequired;
                hasCurve = true;
                typeName = hasD ? "*jwk.ecdsaPrivateKey" : "*jwk.ecdsaPublicKey";
                break;
            case "OKP":
                isPrivate = hasD;
                bytesFields = hasD ? OkpPrivateBytes : OkpPublicBytes;
                required = hasD ? OkpPrivateRequired : OkpPublicRequired;
                hasCurve = true;
                typeName = hasD ? "*jwk.okpPrivateKey" : "*jwk.okpPublicKey";
                break;
            case "oct":
                isPrivate = true;
                bytesFields = OctBytes;
                required = OctBytes;
                typeName = "*jwk.symmetricKey";
                break;
            default:
                return $"invalid key type from JSON ({kty})";
        }

        var present = 0;
        foreach (var (name, value) in key.Members!)
        {
            if (FieldError(kty, name, value, bytesFields, hasCurve) is { } error)
            {
                return $"failed to unmarshal JSON into key ({typeName}): {error}";
            }

            var index = Array.IndexOf(required, name);
            if (index >= 0)
            {
                present |= 1 << index;
            }
        }

        for (var i = 0; i < required.Length; i++)
        {
            if ((present & (1 << i)) == 0)
            {
                return $"failed to unmarshal JSON into key ({typeName}): required field {required[i]} is missing";
            }
        }

        return null;
    }

    private static string? FieldError(string kty, string name, JsonValue value, string[] bytesFields, bool hasCurve)
    {
        if (name == "kty")
        {
            var text = value.Kind == JsonKind.String ? value.Text! : value.Kind == JsonKind.Null ? string.Empty : null;
            if (text is null)
            {
                return $"error reading token: error reading next value: json: cannot unmarshal {value.TypeName} into Go value of type string";
            }

            return text == kty ? null : $"invalid kty value for key ({text})";
        }

        if (Array.IndexOf(StringFields, name) >= 0 || (hasCurve && name == "crv"))
        {
            return value.Kind is JsonKind.String or JsonKind.Null ? null
                : $"failed to decode value for key {name}: error reading next value: json: cannot unmarshal {value.TypeName} into Go value of type string";
        }

        if (Array.IndexOf(bytesFields, name) >= 0)
        {
            if (value.Kind is not (JsonKind.String or JsonKind.Null))
            {
                return $"failed to decode value for key {name}: error reading next value: json: cannot unmarshal {value.TypeName} into Go value of type string";
            }

            return Base64Error(value.Text ?? string.Empty) is null ? null : $"failed to decode value for key {name}: expected base64 encoded []byte (string)";
        }

        if (name == "key_ops")
        {
            if (value.Kind == JsonKind.Null)
            {
                return null;
            }

            if (value.Kind != JsonKind.Array)
            {
                return $"failed to decode value for key key_ops: json: cannot unmarshal {value.TypeName} into Go value of type jwk.KeyOperationList";
            }

            foreach (var item in value.Items!)
            {
                if (item.Kind is not (JsonKind.String or JsonKind.Null))
                {
                    return $"failed to decode value for key key_ops: json: cannot unmarshal {item.TypeName} into Go value of type jwk.KeyOperation";
                }
            }

            return null;
        }

        if (name == "x5c")
        {
            return CertificateChainError(value) is { } chainError ? $"failed to decode value for key x5c: {chainError}" : null;
        }

        // Any other member is kept as whatever JSON it is.
        return null;
    }

    private static string? CertificateChainError(JsonValue value)
    {
        if (value.Kind == JsonKind.Null)
        {
            return null;
        }

        if (value.Kind != JsonKind.Array)
        {
            return $"failed to unmarshal JSON into []string: json: cannot unmarshal {value.TypeName} into Go value of type []string";
        }

        foreach (var item in value.Items!)
        {
            if (item.Kind is not (JsonKind.String or JsonKind.Null))
            {
                return $"failed to unmarshal JSON into []string: json: cannot unmarshal {item.TypeName} into Go value of type string";
            }
        }

        foreach (var item in value.Items)
        {
            var text = item.Text ?? string.Empty;
            if (Base64Error(text) is not null)
            {
                return "failed to base64 decode list element";
            }

            var der = DecodeBase64(text);
            if (!IsCertificate(der))
            {
                return "failed to parse certificate";
            }
        }

        return null;
    }

    private static bool IsCertificate(byte[] der)
    {
        // Go's x509.ParseCertificate takes DER only; .NET would also take PEM, so insist on a DER SEQUENCE.
        if (der.Length == 0 || der[0] != 0x30)
        {
            return false;
        }

        try
        {
            using var certificate = X509CertificateLoader.LoadCertificate(der);
            return true;
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    /// <summary>
    /// jwx's base64: standard alphabet when the text has <c>+</c> or <c>/</c>, else URL-safe; padded when it ends with
    /// <c>=</c>, else raw. Line breaks are skipped, as Go's decoder skips them. Null when it decodes.
    /// </summary>
    internal static string? Base64Error(string text)
    {
        var padded = text.EndsWith('=');
        var url = text.AsSpan().IndexOfAny('+', '/') < 0;
        var count = 0;
        var padding = 0;
        foreach (var c in text)
        {
            if (c is '\r' or '\n')
            {
                continue;
            }

            if (padding > 0)
            {
                if (c != '=' || !padded)
                {
                    return "illegal base64 data";
                }

                padding++;
                count++;
                continue;
            }

            if (c == '=')
            {
                if (!padded || count % 4 < 2)
                {
                    return "illegal base64 data";
                }

                padding = 1;
                count++;
                continue;
            }

            var ok = c is (>= 'A' and <= 'Z') or (>= 'a' and <= 'z') or (>= '0' and <= '9')
                || (url ? c is '-' or '_' : c is '+' or '/');
            if (!ok)
            {
                return "illegal base64 data";
            }

            count++;
        }

        if (padded)
        {
            // The quantum holding the padding must be complete: xx== or xxx=.
            if (count % 4 != 0 || padding > 2 || (padding == 2 && (count - 2) % 4 != 2) || (padding == 1 && (count - 1) % 4 != 3))
            {
                return "illegal base64 data";
            }

            return null;
        }

        return count % 4 == 1 ? "illegal base64 data" : null;
    }

    private static byte[] DecodeBase64(string text)
    {
        var sb = new StringBuilder(text.Length + 3);
        foreach (var c in text)
        {
            switch (c)
            {
                case '\r' or '\n' or '=':
                    continue;
                case '-':
                    sb.Append('+');
                    break;
                case '_':
                    sb.Append('/');
                    break;
                default:
                    sb.Append(c);
                    break;
            }
        }

        // Go ignores stray low bits in the last character; Convert does not, so clear them.
        var chars = sb.ToString();
        var remainder = chars.Length % 4;
        if (remainder > 1)
        {
            const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
            var last = Alphabet.IndexOf(chars[^1], StringComparison.Ordinal);
            last &= remainder == 2 ? 0x30 : 0x3C;
            chars = chars[..^1] + Alphabet[last];
        }

        chars += new string('=', (4 - remainder) % 4);
        return Convert.FromBase64String(chars);
    }

    internal enum JsonKind
    {
        Null,
        Bool,
        Number,
        String,
        Array,
        Object,
    }

    internal sealed class JsonValue
    {
        public JsonKind Kind { get; init; }

        public string? Text { get; init; }

        public List<JsonValue>? Items { get; init; }

        public List<KeyValuePair<string, JsonValue>>? Members { get; init; }

        public string TypeName => Kind switch
        {
            JsonKind.Null => "null",
            JsonKind.Bool => "bool",
            JsonKind.Number => "number",
            JsonKind.String => "string",
            JsonKind.Array => "array",
            _ => "object",
        };
    }

    /// <summary>
    /// A strict RFC 8259 reader with Go's limits, reading only the first value of the text (as Go's json.Decoder
    /// does; whatever follows it is not looked at).
    /// </summary>
    private sealed class JsonReader(string text)
    {
        private const int MaxDepth = 10000;
        private int _pos;
        private int _depth;

        public JsonValue ReadFirstValue()
        {
            SkipSpace();
            if (_pos >= text.Length)
            {
                throw new FormatException("EOF");
            }

            return ReadValue();
        }

        private void SkipSpace()
        {
            while (_pos < text.Length && text[_pos] is ' ' or '\t' or '\n' or '\r')
            {
                _pos++;
            }
        }

        private FormatException Invalid(string context)
        {
            if (_pos >= text.Length)
            {
                return new FormatException("unexpected end of JSON input");
            }

            var c = text[_pos];
            var shown = c == '\'' ? "'\\''" : c == '"' ? "'\"'" : c < 0x20 ? $"'\\x{(int)c:x2}'" : $"'{c}'";
            return new FormatException($"invalid character {shown} {context}");
        }

        private JsonValue ReadValue()
        {
            if (_pos >= text.Length)
            {
                throw Invalid(string.Empty);
            }

            var c = text[_pos];
            switch (c)
            {
                case '{':
                    return ReadObject();
                case '[':
                    return ReadArray();
                case '"':
                    return new JsonValue { Kind = JsonKind.String, Text = ReadString() };
                case 't':
                    ReadLiteral("true");
                    return new JsonValue { Kind = JsonKind.Bool, Text = "true" };
                case 'f':
                    ReadLiteral("false");
                    return new JsonValue { Kind = JsonKind.Bool, Text = "false" };
                case 'n':
                    ReadLiteral("null");
                    return new JsonValue { Kind = JsonKind.Null };
                default:
                    if (c == '-' || char.IsAsciiDigit(c))
                    {
                        return new JsonValue { Kind = JsonKind.Number, Text = ReadNumber() };
                    }

                    throw Invalid("looking for beginning of value");
            }
        }

        private void Enter()
        {
            // Go stops at 10000 levels; a thread's stack may give out before that, which must not end the process.
            if (++_depth > MaxDepth || !System.Runtime.CompilerServices.RuntimeHelpers.TryEnsureSufficientExecutionStack())
            {
                throw new FormatException("exceeded max depth");
            }
        }

        private JsonValue ReadObject()
        {
            Enter();
            _pos++;
            var members = new List<KeyValuePair<string, JsonValue>>();
            SkipSpace();
            if (_pos < text.Length && text[_pos] == '}')
            {
                _pos++;
                _depth--;
                return new JsonValue { Kind = JsonKind.Object, Members = members };
            }

            while (true)
            {
                SkipSpace();
                if (_pos >= text.Length || text[_pos] != '"')
                {
                    throw Invalid("looking for beginning of object key string");
                }

                var name = ReadString();
                SkipSpace();
                if (_pos >= text.Length || text[_pos] != ':')
                {
                    throw Invalid("after object key");
                }

                _pos++;
                SkipSpace();
                members.Add(new(name, ReadValue()));
                SkipSpace();
                if (_pos < text.Length && text[_pos] == ',')
                {
                    _pos++;
                    continue;
                }

                if (_pos < text.Length && text[_pos] == '}')
                {
                    _pos++;
                    _depth--;
                    return new JsonValue { Kind = JsonKind.Object, Members = members };
                }

                throw Invalid("after object key:value pair");
            }
        }

        private JsonValue ReadArray()
        {
            Enter();
            _pos++;
            var items = new List<JsonValue>();
            SkipSpace();
            if (_pos < text.Length && text[_pos] == ']')
            {
                _pos++;
                _depth--;
                return new JsonValue { Kind = JsonKind.Array, Items = items };
            }

            while (true)
            {
                SkipSpace();
                items.Add(ReadValue());
                SkipSpace();
                if (_pos < text.Length && text[_pos] == ',')
                {
                    _pos++;
                    continue;
                }

                if (_pos < text.Length && text[_pos] == ']')
                {
                    _pos++;
                    _depth--;
                    return new JsonValue { Kind = JsonKind.Array, Items = items };
                }

                throw Invalid("after array element");
            }
        }

        private void ReadLiteral(string literal)
        {
            foreach (var expected in literal)
            {
                if (_pos >= text.Length || text[_pos] != expected)
                {
                    throw Invalid($"in literal {literal} (expecting '{expected}')");
                }

                _pos++;
            }
        }

        private string ReadNumber()
        {
            var start = _pos;
            if (text[_pos] == '-')
            {
                _pos++;
            }

            if (_pos >= text.Length)
            {
                throw Invalid("in numeric literal");
            }

            if (text[_pos] == '0')
            {
                _pos++;
            }
            else if (text[_pos] is >= '1' and <= '9')
            {
                while (_pos < text.Length && char.IsAsciiDigit(text[_pos]))
                {
                    _pos++;
                }
            }
            else
            {
                throw Invalid("in numeric literal");
            }

            if (_pos < text.Length && text[_pos] == '.')
            {
                _pos++;
                if (_pos >= text.Length || !char.IsAsciiDigit(text[_pos]))
                {
                    throw Invalid("after decimal point in numeric literal");
                }

                while (_pos < text.Length && char.IsAsciiDigit(text[_pos]))
                {
                    _pos++;
                }
            }

            if (_pos < text.Length && text[_pos] is 'e' or 'E')
            {
                _pos++;
                if (_pos < text.Length && text[_pos] is '+' or '-')
                {
                    _pos++;
                }

                if (_pos >= text.Length || !char.IsAsciiDigit(text[_pos]))
                {
                    throw Invalid("in exponent of numeric literal");
                }

                while (_pos < text.Length && char.IsAsciiDigit(text[_pos]))
                {
                    _pos++;
                }
            }

            return text[start.._pos];
        }

        private string ReadString()
        {
            _pos++;

            // Most strings have no escapes: take them whole.
            for (var end = _pos; end < text.Length; end++)
            {
                var ch = text[end];
                if (ch == '"')
                {
                    var plain = text[_pos..end];
                    _pos = end + 1;
                    return plain;
                }

                if (ch == '\\' || ch < 0x20)
                {
                    break;
                }
            }

            var sb = new StringBuilder();
            while (true)
            {
                if (_pos >= text.Length)
                {
                    throw new FormatException("unexpected end of JSON input");
                }

                var c = text[_pos];
                if (c == '"')
                {
                    _pos++;
                    return sb.ToString();
                }

                if (c < 0x20)
                {
                    throw Invalid("in string literal");
                }

                if (c != '\\')
                {
                    sb.Append(c);
                    _pos++;
                    continue;
                }

                _pos++;
                if (_pos >= text.Length)
                {
                    throw new FormatException("unexpected end of JSON input");
                }

                var e = text[_pos];
                switch (e)
                {
                    case '"' or '\\' or '/':
                        sb.Append(e);
                        break;
                    case 'b':
                        sb.Append('\b');
                        break;
                    case 'f':
                        sb.Append('\f');
                        break;
                    case 'n':
                        sb.Append('\n');
                        break;
                    case 'r':
                        sb.Append('\r');
                        break;
                    case 't':
                        sb.Append('\t');
                        break;
                    case 'u':
                        for (var k = 1; k <= 4; k++)
                        {
                            if (_pos + k >= text.Length || !char.IsAsciiHexDigit(text[_pos + k]))
                            {
                                _pos += k;
                                throw Invalid("in \\u hexadecimal character escape");
                            }
                        }

                        sb.Append((char)int.Parse(text.AsSpan(_pos + 1, 4), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
                        _pos += 4;
                        break;
                    default:
                        throw Invalid("in string escape code");
                }

                _pos++;
            }
        }
    }
}
