using Weft.Xds.Envoy.Config.Rbac.V3;

namespace Weft.Control.Generators.Authorization;

/// <summary>
/// The RBAC rule sets built from the policies of one action: enforced and dry-run (shadow) for ALLOW, DENY and AUDIT
/// (null when no policy of that kind); for CUSTOM, the same pair per provider.
/// </summary>
internal sealed record BuiltRules(
    RBAC? Rules,
    RBAC? ShadowRules,
    IReadOnlyDictionary<string, RBAC> ProviderRules,
    IReadOnlyDictionary<string, RBAC> ProviderShadowRules);
