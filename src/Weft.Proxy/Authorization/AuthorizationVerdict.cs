namespace Weft.Proxy.Authorization;

/// <summary>
/// What the authorization filters decided: let the request through, or answer it locally with a status, a body, Envoy's
/// response code details and response flag (RBAC sets none; ext_authz sets UAEX); jwt_authn answers 401 with a challenge.
/// </summary>
internal readonly record struct AuthorizationVerdict(bool Allowed, int Status, string Body, string Details, string Flags)
{
    /// <summary>The <c>www-authenticate</c> header of a JWT refusal; null for other answers.</summary>
    public string? WwwAuthenticate { get; init; }

    public static AuthorizationVerdict Allow { get; } = new(true, 0, string.Empty, string.Empty, string.Empty);

    /// <summary>Envoy's RBAC denial: 403 <c>RBAC: access denied</c>, details naming the policy that decided (or none).</summary>
    public static AuthorizationVerdict RbacDenied(string? policy) =>
        new(false, 403, "RBAC: access denied", $"rbac_access_denied_matched_policy[{policy ?? "none"}]", string.Empty);
}
