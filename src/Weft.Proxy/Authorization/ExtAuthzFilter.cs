namespace Weft.Proxy.Authorization;

/// <summary>
/// Envoy's ext_authz filter. It runs only for what <c>filter_enabled_metadata</c> selects (for Istio's CUSTOM action, the
/// requests or connections a CUSTOM policy's rules matched) and asks its HTTP or gRPC authorization service
/// (<see cref="Service"/>); the network filter asks a gRPC service once per connection. A service that cannot be asked
/// is an error: the request or connection is let through when <c>failure_mode_allow</c> is set, otherwise a request is
/// answered with <c>status_on_error</c> (403 by default) and a connection closed. Denials and errors carry flag UAEX.
/// </summary>
internal sealed class ExtAuthzFilter(MetadataValueMatch? enabled, bool failureModeAllow, bool failureModeAllowHeaderAdd, int statusOnError, ExtAuthzService? service, ExtAuthzCounters counters)
{
    public const string HttpName = "envoy.filters.http.ext_authz";
    public const string NetworkName = "envoy.filters.network.ext_authz";

    /// <summary>Envoy's response flag for a request ext_authz refused (UnauthorizedExternalService).</summary>
    public const string Flag = "UAEX";

    /// <summary>The request header Envoy adds when a failed check let the request through (<c>failure_mode_allow_header_add</c>).</summary>
    public const string FailureModeAllowedHeader = "x-envoy-auth-failure-mode-allowed";

    public int StatusOnError { get; } = statusOnError == 0 ? 403 : statusOnError;

    /// <summary>The service to ask; null where checks are not made (a filter naming no service).</summary>
    public ExtAuthzService? Service { get; } = service;

    public ExtAuthzCounters Counters { get; } = counters;

    /// <summary>Whether the filter applies to this request or connection at all.</summary>
    public bool AppliesTo(AuthorizationInput input) => enabled?.Matches(input.Metadata) ?? true;

    /// <summary>Whether a request passes when its check failed.</summary>
    public bool AllowsWithoutService => failureModeAllow;

    /// <summary>Whether a request let through after a failed check is marked with <see cref="FailureModeAllowedHeader"/>.</summary>
    public bool MarksFailureModeAllowed => failureModeAllow && failureModeAllowHeaderAdd;
}

/// <summary>
/// The checks of one ext_authz filter under Envoy's stat names (<c>PREFIX ext_authz.ok</c>, <c>denied</c>,
/// <c>error</c>, <c>failure_mode_allowed</c>).
/// </summary>
internal sealed class ExtAuthzCounters(string statPrefix)
{
    private long _ok;
    private long _denied;
    private long _error;
    private long _failureModeAllowed;

    public void Count(ExtAuthzOutcome outcome, bool allowedAnyway)
    {
        switch (outcome)
        {
            case ExtAuthzOutcome.Ok:
                Interlocked.Increment(ref _ok);
                break;
            case ExtAuthzOutcome.Denied:
                Interlocked.Increment(ref _denied);
                break;
            default:
                Interlocked.Increment(ref _error);
                break;
        }

        if (outcome == ExtAuthzOutcome.Error && allowedAnyway)
        {
            Interlocked.Increment(ref _failureModeAllowed);
        }
    }

    public IEnumerable<(string Name, long Value)> Values()
    {
        var prefix = statPrefix + "ext_authz.";
        yield return (prefix + "ok", Interlocked.Read(ref _ok));
        yield return (prefix + "denied", Interlocked.Read(ref _denied));
        yield return (prefix + "error", Interlocked.Read(ref _error));
        yield return (prefix + "failure_mode_allowed", Interlocked.Read(ref _failureModeAllowed));
    }
}
