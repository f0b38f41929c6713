namespace Weft.Proxy.Authorization;

/// <summary>
/// What the authorization filters decided: let the request through, or answer it locally with a status, a body, Envoy's
/// response code details and response flag (RBAC sets none; ext_authz sets UAEX); jwt_authn answers 401 with a challenge header.
/// </summary>
internal readonly record struct AuthorizationVerdict(bool Allowed, int Status, string Body, string Details, string Flags)
{
    public static AuthorizationVerdict Allow { get; } = new(true, 0, string.Empty, string.Empty, string.Empty);

    /// <summary>Headers for the local reply of a denial (an ext_authz service's); none for RBAC.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; init; } = [];

    /// <summary>Envoy's RBAC denial: 403 <c>RBAC: access denied</c>, details naming the policy that decided (or none).</summary>
    public static AuthorizationVerdict RbacDenied(string? policy) =>
        new(false, 403, "RBAC: access denied", $"rbac_access_denied_matched_policy[{policy ?? "none"}]", string.Empty);
}

/// <summary>What the authorization filters left for the request besides their verdict.</summary>
internal sealed class AuthorizationOutcomes
{
    /// <summary>Whether a shadow (dry-run) rule would have denied the request.</summary>
    public bool ShadowDenied { get; set; }

    /// <summary>Whether a failed ext_authz check let the request through and asked for it to be marked.</summary>
    public bool FailureModeAllowed { get; set; }

    /// <summary>The allowing answers of ext_authz services, with the header edits they ask for.</summary>
    public IReadOnlyList<ExtAuthzResult> Allowed => _allowed ?? (IReadOnlyList<ExtAuthzResult>)[];

    private List<ExtAuthzResult>? _allowed;

    /// <summary>Keeps an allowing answer (most requests have none, so the list is made on the first).</summary>
    public void Allow(ExtAuthzResult result) => (_allowed ??= []).Add(result);
}
