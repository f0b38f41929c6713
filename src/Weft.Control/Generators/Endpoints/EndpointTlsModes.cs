using Weft.Api.Model.Networking;

namespace Weft.Control.Generators.Endpoints;

/// <summary>
/// The TLS mode a DestinationRule sets for a cluster's endpoints (Istio's tlsModeForDestinationRule), which is not the
/// cluster merge: within a policy a port-level entry's tls wins over the policy's own only when that entry sets tls, and a
/// subset falls back to the rule's policy when it sets no tls for the port.
/// </summary>
internal static class EndpointTlsModes
{
    /// <summary>The mode (<c>DISABLE</c>, <c>SIMPLE</c>, <c>MUTUAL</c>, <c>ISTIO_MUTUAL</c>); null when the rule sets none.</summary>
    public static string? ForRule(DestinationRuleSpec? rule, string subset, int port)
    {
        if (rule is null)
        {
            return null;
        }

        if (subset.Length == 0)
        {
            return ForPolicy(rule.TrafficPolicy, port);
        }

        var named = rule.Subsets?.FirstOrDefault(s => s.Name == subset);
        return named is null ? null : ForPolicy(named.TrafficPolicy, port) ?? ForPolicy(rule.TrafficPolicy, port);
    }

    private static string? ForPolicy(TrafficPolicy? policy, int port)
    {
        var level = policy?.PortLevelSettings?.FirstOrDefault(l => l.Port?.Number == port && l.Tls is not null);
        return level is not null ? level.Tls!.Mode ?? "DISABLE" : policy?.Tls is { } tls ? tls.Mode ?? "DISABLE" : null;
    }
}
