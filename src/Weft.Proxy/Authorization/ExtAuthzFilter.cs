namespace Weft.Proxy.Authorization;

/// <summary>
/// Envoy's ext_authz filter as far as this proxy goes: it runs only for what <c>filter_enabled_metadata</c> selects (for
/// Istio's CUSTOM action, the requests a CUSTOM policy's rules matched). weft proxy does not call authorization
/// services yet, so a selected request is treated as Envoy treats an unreachable service: let through when
/// <c>failure_mode_allow</c> is set, otherwise answered with <c>status_on_error</c> (403 by default) and flag UAEX.
/// </summary>
internal sealed class ExtAuthzFilter(MetadataValueMatch? enabled, bool failureModeAllow, int statusOnError)
{
    public const string HttpName = "envoy.filters.http.ext_authz";
    public const string NetworkName = "envoy.filters.network.ext_authz";

    /// <summary>Envoy's response flag for a request ext_authz refused (UnauthorizedExternalService).</summary>
    public const string Flag = "UAEX";

    public int StatusOnError { get; } = statusOnError == 0 ? 403 : statusOnError;

    /// <summary>Whether the filter applies to this request or connection at all.</summary>
    public bool AppliesTo(AuthorizationInput input) => enabled?.Matches(input.Metadata) ?? true;

    /// <summary>Whether a request the filter applies to passes, the service being out of reach.</summary>
    public bool AllowsWithoutService => failureModeAllow;
}
