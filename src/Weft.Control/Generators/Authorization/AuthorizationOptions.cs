using Microsoft.Extensions.Logging;

namespace Weft.Control.Generators.Authorization;

/// <summary>What, beside the policies, decides the generated authorization filters.</summary>
/// <param name="TrustDomains">The mesh trust domain and its aliases, for principals.</param>
/// <param name="ExtensionProviders">The mesh's ext_authz providers, resolved against the registry (CUSTOM action).</param>
internal sealed record AuthorizationOptions(TrustDomainBundle TrustDomains, IReadOnlyDictionary<string, ResolvedExtAuthz> ExtensionProviders)
{
    /// <summary>Match peers by their certificate (sidecars, gateways); waypoints match the tunnel's filter state instead.</summary>
    public bool UseAuthenticated { get; init; } = true;

    /// <summary>Istio's PILOT_ENABLE_MULTIPLE_CUSTOM_AUTHZ_PROVIDERS (off): one workload may use several CUSTOM providers.</summary>
    public bool MultipleCustomProviders { get; init; }

    /// <summary>Where translation problems go (a skipped rule, a broken provider); nowhere by default.</summary>
    public Action<LogLevel, string>? Logger { get; init; }

    public void Log(LogLevel level, string message) => Logger?.Invoke(level, message);
}
