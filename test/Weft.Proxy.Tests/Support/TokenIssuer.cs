using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Weft.Proxy.Tests.Support;

/// <summary>
/// An OpenID-style token issuer for tests: an RSA key (<c>kid</c> rsa-1), an EC P-256 key (<c>kid</c> ec-1) and an Ed25519
/// key (<c>kid</c> ed-1), its JWKS, and JWTs signed in-test with RS256, PS256, ES256 or EdDSA over whatever claims a test gives.
/// </summary>
internal sealed class TokenIssuer : IDisposable
{
    private readonly RSA _rsa = RSA.Create(2048);
    private readonly ECDsa _ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly NSec.Cryptography.Key _ed25519 = NSec.Cryptography.Key.Create(NSec.Cryptography.SignatureAlgorithm.Ed25519);

    public TokenIssuer(string issuer) => Issuer = issuer;

    public string Issuer { get; }

    /// <summary>The public keys as a JWKS document.</summary>
    public string Jwks
    {
        get
        {
            var rsa = _rsa.ExportParameters(false);
            var ec = _ec.ExportParameters(false);
            var ed = _ed25519.PublicKey.Export(NSec.Cryptography.KeyBlobFormat.RawPublicKey);
            return $$"""{"keys":[{"kty":"RSA","kid":"rsa-1","use":"sig","e":"{{B64(rsa.Exponent!)}}","n":"{{B64(rsa.Modulus!)}}"},{"kty":"EC","kid":"ec-1","crv":"P-256","x":"{{B64(ec.Q.X!)}}","y":"{{B64(ec.Q.Y!)}}"},{"kty":"OKP","kid":"ed-1","crv":"Ed25519","x":"{{B64(ed)}}"}]}""";
        }
    }

    /// <summary>A token for <paramref name="subject"/>: issued now, valid an hour, with this issuer unless the claims say otherwise.</summary>
    public string Token(string subject, string alg = "RS256", IReadOnlyDictionary<string, object>? claims = null)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var all = new Dictionary<string, object> { ["iss"] = Issuer, ["sub"] = subject, ["iat"] = now, ["exp"] = now + 3600 };
        foreach (var (key, value) in claims ?? new Dictionary<string, object>())
        {
            all[key] = value;
        }

        return Sign(alg, all);
    }

    /// <summary>Signs claims as they are (no defaults added).</summary>
    public string Sign(string alg, IReadOnlyDictionary<string, object> claims, string? kid = null)
    {
        kid ??= alg.StartsWith("ES", StringComparison.Ordinal) ? "ec-1" : alg == "EdDSA" ? "ed-1" : "rsa-1";
        var header = B64(JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string> { ["alg"] = alg, ["typ"] = "JWT", ["kid"] = kid }));
        var payload = B64(JsonSerializer.SerializeToUtf8Bytes(claims));
        var input = Encoding.ASCII.GetBytes(header + "." + payload);
        var signature = alg switch
        {
            "RS256" => _rsa.SignData(input, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1),
            "PS256" => _rsa.SignData(input, HashAlgorithmName.SHA256, RSASignaturePadding.Pss),
            "ES256" => _ec.SignData(input, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation),
            "EdDSA" => NSec.Cryptography.SignatureAlgorithm.Ed25519.Sign(_ed25519, input),
            _ => throw new ArgumentException("unsupported alg " + alg, nameof(alg)),
        };
        return header + "." + payload + "." + B64(signature);
    }

    /// <summary>The token with its payload's <c>sub</c> changed to mallory and the signature kept: a forgery.</summary>
    public static string Tamper(string token)
    {
        var parts = token.Split('.');
        var payload = parts[1].Replace('-', '+').Replace('_', '/');
        var claims = System.Text.Json.JsonSerializer.Deserialize<Dictionary<string, System.Text.Json.JsonElement>>(Convert.FromBase64String(payload.PadRight(payload.Length + ((4 - (payload.Length % 4)) % 4), '=')))!;
        claims["sub"] = System.Text.Json.JsonSerializer.SerializeToElement("mallory");
        return parts[0] + "." + B64(System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(claims)) + "." + parts[2];
    }

    public static string B64(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public void Dispose()
    {
        _rsa.Dispose();
        _ec.Dispose();
        _ed25519.Dispose();
    }
}
