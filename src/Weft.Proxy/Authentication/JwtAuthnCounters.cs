namespace Weft.Proxy.Authentication;

/// <summary>
/// The decisions of one jwt_authn filter under Envoy's stat names: <c>http.PREFIX.jwt_authn.allowed</c>, <c>denied</c>
/// and <c>cors_preflight_bypassed</c>, counted from the moment the filter's configuration was accepted.
/// </summary>
internal sealed class JwtAuthnCounters(string statPrefix)
{
    private long _allowed;
    private long _denied;
    private long _corsPreflightBypassed;

    public void Decided(bool allowed) => Interlocked.Increment(ref allowed ? ref _allowed : ref _denied);

    public void CorsPreflightBypassed() => Interlocked.Increment(ref _corsPreflightBypassed);

    /// <summary>Each counter with its Envoy stat name.</summary>
    public IEnumerable<(string Name, long Value)> Values()
    {
        var prefix = statPrefix + "jwt_authn.";
        yield return (prefix + "allowed", Interlocked.Read(ref _allowed));
        yield return (prefix + "denied", Interlocked.Read(ref _denied));
        yield return (prefix + "cors_preflight_bypassed", Interlocked.Read(ref _corsPreflightBypassed));
    }
}
