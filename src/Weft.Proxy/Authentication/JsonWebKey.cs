using System.Security.Cryptography;
using System.Text.Json;

namespace Weft.Proxy.Authentication;

/// <summary>
/// One public key of a JWKS (RFC 7517) that can check signatures: RSA (RS256/384/512, PS256/384/512), EC P-256/384/521
/// (ES256/384/512), Ed25519 (<c>OKP</c>, EdDSA, RFC 8037; through NSec, as .NET has no Ed25519) or a shared secret
/// (<c>oct</c>, HS256/384/512). Other OKP curves (Ed448, X25519) are skipped, as Envoy's JWT library skips them.
/// </summary>
internal sealed class JsonWebKey
{
    private readonly RSA? _rsa;
    private readonly ECDsa? _ec;
    private readonly byte[]? _secret;
    private readonly NSec.Cryptography.PublicKey? _ed25519;
    private readonly object _gate = new();

    private JsonWebKey(string kty, string? kid, string? alg, string? crv, RSA? rsa, ECDsa? ec, byte[]? secret, NSec.Cryptography.PublicKey? ed25519 = null)
    {
        _ed25519 = ed25519;
        Kty = kty;
        Kid = kid;
        Alg = alg;
        Crv = crv;
        _rsa = rsa;
        _ec = ec;
        _secret = secret;
    }

    public string Kty { get; }

    public string? Kid { get; }

    public string? Alg { get; }

    public string? Crv { get; }

    /// <summary>The key of a JWK object; null when its type is not supported or its parameters are unreadable.</summary>
    public static JsonWebKey? From(JsonElement key)
    {
        if (key.ValueKind != JsonValueKind.Object || Text(key, "kty") is not { } kty)
        {
            return null;
        }

        var kid = Text(key, "kid");
        var alg = Text(key, "alg");
        try
        {
            switch (kty)
            {
                case "RSA" when Bytes(key, "n") is { } n && Bytes(key, "e") is { } e:
                    var rsa = RSA.Create();
                    rsa.ImportParameters(new RSAParameters { Modulus = n, Exponent = e });
                    return new JsonWebKey(kty, kid, alg, null, rsa, null, null);
                case "EC" when Text(key, "crv") is { } crv && Curve(crv) is { } curve && Bytes(key, "x") is { } x && Bytes(key, "y") is { } y:
                    var ec = ECDsa.Create(new ECParameters { Curve = curve, Q = new ECPoint { X = x, Y = y } });
                    return new JsonWebKey(kty, kid, alg, crv, null, ec, null);
                case "oct" when Bytes(key, "k") is { Length: > 0 } k:
                    return new JsonWebKey(kty, kid, alg, null, null, null, k);
                case "OKP" when Text(key, "crv") == "Ed25519" && Bytes(key, "x") is { Length: 32 } raw
                    && NSec.Cryptography.PublicKey.TryImport(NSec.Cryptography.SignatureAlgorithm.Ed25519, raw, NSec.Cryptography.KeyBlobFormat.RawPublicKey, out var ed25519):
                    return new JsonWebKey(kty, kid, alg, "Ed25519", null, null, null, ed25519);
                default:
                    return null;
            }
        }
        catch (CryptographicException)
        {
            return null;
        }
    }

    /// <summary>Whether this key can check a signature made with <paramref name="alg"/>.</summary>
    public bool Fits(string alg) => (Alg is null || Alg == alg) && (Kty, alg) switch
    {
        ("RSA", "RS256" or "RS384" or "RS512" or "PS256" or "PS384" or "PS512") => true,
        ("EC", "ES256") => Crv == "P-256",
        ("EC", "ES384") => Crv == "P-384",
        ("EC", "ES512") => Crv == "P-521",
        ("oct", "HS256" or "HS384" or "HS512") => true,
        ("OKP", "EdDSA") => _ed25519 is not null,
        _ => false,
    };

    public bool Verify(string alg, ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature)
    {
        if (alg == "EdDSA")
        {
            // Stateless (libsodium): no lock needed.
            return _ed25519 is not null && NSec.Cryptography.SignatureAlgorithm.Ed25519.Verify(_ed25519, data, signature);
        }

        var hash = HashOf(alg);
        lock (_gate)
        {
            try
            {
                return alg[0] switch
                {
                    'R' => _rsa!.VerifyData(data, signature, hash, RSASignaturePadding.Pkcs1),
                    'P' => _rsa!.VerifyData(data, signature, hash, RSASignaturePadding.Pss),
                    'E' => _ec!.VerifyData(data, signature, hash, DSASignatureFormat.IeeeP1363FixedFieldConcatenation),
                    _ => CryptographicOperations.FixedTimeEquals(Hmac(hash, data), signature),
                };
            }
            catch (CryptographicException)
            {
                return false;
            }
        }
    }

    /// <summary>Whether <paramref name="alg"/> is one this proxy can verify.</summary>
    public static bool Supported(string alg) => alg is "RS256" or "RS384" or "RS512" or "PS256" or "PS384" or "PS512"
        or "ES256" or "ES384" or "ES512" or "HS256" or "HS384" or "HS512" or "EdDSA";

    private byte[] Hmac(HashAlgorithmName hash, ReadOnlySpan<byte> data) =>
        hash == HashAlgorithmName.SHA256 ? HMACSHA256.HashData(_secret!, data)
        : hash == HashAlgorithmName.SHA384 ? HMACSHA384.HashData(_secret!, data)
        : HMACSHA512.HashData(_secret!, data);

    private static HashAlgorithmName HashOf(string alg) => alg[2..] switch
    {
        "256" => HashAlgorithmName.SHA256,
        "384" => HashAlgorithmName.SHA384,
        _ => HashAlgorithmName.SHA512,
    };

    private static ECCurve? Curve(string crv) => crv switch
    {
        "P-256" => ECCurve.NamedCurves.nistP256,
        "P-384" => ECCurve.NamedCurves.nistP384,
        "P-521" => ECCurve.NamedCurves.nistP521,
        _ => null,
    };

    private static string? Text(JsonElement key, string name) =>
        key.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static byte[]? Bytes(JsonElement key, string name) =>
        Text(key, name) is { } text && Base64Url.TryDecode(text, out var bytes) ? bytes : null;
}
