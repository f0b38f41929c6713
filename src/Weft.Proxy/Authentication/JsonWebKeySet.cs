using System.Text.Json;

namespace Weft.Proxy.Authentication;

/// <summary>The usable keys of a JWKS document (a JSON object with a <c>keys</c> array; a single JWK object is read too).</summary>
internal sealed class JsonWebKeySet
{
    private JsonWebKeySet(IReadOnlyList<JsonWebKey> keys) => Keys = keys;

    public IReadOnlyList<JsonWebKey> Keys { get; }

    /// <summary>The keys of a document; null with a reason when it is not a JWKS at all.</summary>
    public static JsonWebKeySet? Parse(string text, out string? error)
    {
        error = null;
        try
        {
            using var document = JsonDocument.Parse(text);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                error = "the JWKS is not a JSON object";
                return null;
            }

            if (root.TryGetProperty("keys", out var keys))
            {
                if (keys.ValueKind != JsonValueKind.Array)
                {
                    error = "the JWKS's \"keys\" is not an array";
                    return null;
                }

                return new JsonWebKeySet(keys.EnumerateArray().Select(JsonWebKey.From).OfType<JsonWebKey>().ToArray());
            }

            return new JsonWebKeySet(JsonWebKey.From(root) is { } single ? [single] : []);
        }
        catch (JsonException e)
        {
            error = "the JWKS is not valid JSON: " + e.Message;
            return null;
        }
    }

    /// <summary>Checks a token's signature against the keys that fit its <c>kid</c> and <c>alg</c>.</summary>
    public JwtStatus Verify(JwtToken token)
    {
        if (Keys.Count == 0)
        {
            return JwtStatus.JwksNoValidKeys;
        }

        var tried = false;
        foreach (var key in Keys)
        {
            if ((token.Kid is not null && key.Kid is not null && key.Kid != token.Kid) || !key.Fits(token.Alg))
            {
                continue;
            }

            tried = true;
            if (key.Verify(token.Alg, token.SigningInput, token.Signature))
            {
                return JwtStatus.Ok;
            }
        }

        return tried ? JwtStatus.VerificationFailed : JwtStatus.KidAlgMismatch;
    }
}
