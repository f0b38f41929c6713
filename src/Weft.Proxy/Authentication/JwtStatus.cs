namespace Weft.Proxy.Authentication;

/// <summary>The outcome of verifying a request's JWT, with the message Envoy's jwt_authn filter answers it with.</summary>
internal enum JwtStatus
{
    Ok,
    Missing,
    BadFormat,
    HeaderBadBase64,
    HeaderBadJson,
    HeaderBadAlg,
    AlgNotImplemented,
    PayloadBadBase64,
    PayloadBadJson,
    SignatureBadBase64,
    Expired,
    NotYetValid,
    UnknownIssuer,
    AudienceNotAllowed,
    KidAlgMismatch,
    VerificationFailed,
    JwksFetchFailed,
    JwksNoValidKeys,
}

internal static class JwtStatuses
{
    /// <summary>The response body of a refusal, as Envoy writes it (jwt_verify_lib's status strings).</summary>
    public static string Message(this JwtStatus status) => status switch
    {
        JwtStatus.Ok => "OK",
        JwtStatus.Missing => "Jwt is missing",
        JwtStatus.BadFormat => "Jwt is not in the form of Header.Payload.Signature with two dots and 3 sections",
        JwtStatus.HeaderBadBase64 => "Jwt header is an invalid Base64url encoded",
        JwtStatus.HeaderBadJson => "Jwt header is an invalid JSON",
        JwtStatus.HeaderBadAlg => "Jwt header [alg] field is required and must be a string",
        JwtStatus.AlgNotImplemented => "Jwt header [alg] is not supported",
        JwtStatus.PayloadBadBase64 => "Jwt payload is an invalid Base64url encoded",
        JwtStatus.PayloadBadJson => "Jwt payload is an invalid JSON",
        JwtStatus.SignatureBadBase64 => "Jwt signature is an invalid Base64url encoded",
        JwtStatus.Expired => "Jwt is expired",
        JwtStatus.NotYetValid => "Jwt not yet valid",
        JwtStatus.UnknownIssuer => "Jwt issuer is not configured",
        JwtStatus.AudienceNotAllowed => "Audiences in Jwt are not allowed",
        JwtStatus.KidAlgMismatch => "Jwks doesn't have key to match kid or alg from Jwt",
        JwtStatus.VerificationFailed => "Jwt verification fails",
        JwtStatus.JwksFetchFailed => "Jwks remote fetch is failed",
        JwtStatus.JwksNoValidKeys => "Jwks doesn't have any valid public key",
        _ => "Jwt verification fails",
    };

    /// <summary>Envoy answers a token whose audience is not allowed with 403, every other failure with 401.</summary>
    public static int HttpStatus(this JwtStatus status) => status == JwtStatus.AudienceNotAllowed ? 403 : 401;
}
