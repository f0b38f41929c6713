namespace Weft.Proxy.Authorization;

/// <summary>
/// The decisions of one RBAC filter, under Envoy's stat names: <c>PREFIX rbac.allowed</c>, <c>denied</c>, and for the
/// shadow rules <c>PREFIX rbac.SHADOW_PREFIX shadow_allowed</c> / <c>shadow_denied</c> (Istio's dry-run counters are
/// <c>…rbac.istio_dry_run_allow_shadow_denied</c>). They count from the moment the filter's configuration was accepted.
/// </summary>
internal sealed class RbacCounters(string statPrefix, string rulesStatPrefix, string shadowStatPrefix)
{
    private long _allowed;
    private long _denied;
    private long _shadowAllowed;
    private long _shadowDenied;

    public void Enforced(bool allowed) => Interlocked.Increment(ref allowed ? ref _allowed : ref _denied);

    public void Shadow(bool allowed) => Interlocked.Increment(ref allowed ? ref _shadowAllowed : ref _shadowDenied);

    /// <summary>Each counter with its Envoy stat name.</summary>
    public IEnumerable<(string Name, long Value)> Values()
    {
        var rbac = statPrefix + "rbac.";
        yield return (rbac + rulesStatPrefix + "allowed", Interlocked.Read(ref _allowed));
        yield return (rbac + rulesStatPrefix + "denied", Interlocked.Read(ref _denied));
        yield return (rbac + shadowStatPrefix + "shadow_allowed", Interlocked.Read(ref _shadowAllowed));
        yield return (rbac + shadowStatPrefix + "shadow_denied", Interlocked.Read(ref _shadowDenied));
    }
}
