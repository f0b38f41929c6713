using Weft.Api.GoCompat;

namespace Weft.Api.Validation.Security;

/// <summary>
/// The attachment rules the policy kinds share (AuthorizationPolicy, RequestAuthentication, PeerAuthentication,
/// Telemetry, WasmPlugin, TrafficExtension): workload selector labels, policy target references, and that a
/// selector and target references exclude each other. Each kind has its own generated selector/reference records,
/// so these take the plain values.
/// </summary>
internal static class SelectorRules
{
    /// <summary>The kinds a policy may target (group as written, "" for core); the version is not checked.</summary>
    private static readonly (string Group, string Kind)[] AllowedTargets =
    [
        (string.Empty, "Service"),
        ("networking.istio.io", "ServiceEntry"),
        ("gateway.networking.k8s.io", "Gateway"),
        ("gateway.networking.k8s.io", "GatewayClass"),
    ];

    private const string AllowedTargetsText =
        "[core/v1/Service networking.istio.io/v1/ServiceEntry gateway.networking.k8s.io/v1/Gateway gateway.networking.k8s.io/v1/GatewayClass]";

    /// <summary>
    /// Istio's workload selector check: no empty label key, no <c>*</c> in a key or value; a selector without labels is
    /// accepted with a warning.
    /// </summary>
    public static void ValidateWorkloadSelector(ValidationContext context, string path, bool present, IReadOnlyDictionary<string, string>? matchLabels)
    {
        if (!present)
        {
            return;
        }

        if (matchLabels is not null)
        {
            foreach (var (key, value) in matchLabels)
            {
                if (key.Length == 0)
                {
                    context.Error($"{path}.matchLabels[{key}]", "empty key is not supported in selector: " + GoStrconv.Quote(key + "=" + value));
                }

                if (key.Contains('*', StringComparison.Ordinal) || value.Contains('*', StringComparison.Ordinal))
                {
                    context.Error($"{path}.matchLabels[{key}]", "wildcard is not supported in selector: " + GoStrconv.Quote(key + "=" + value));
                }
            }
        }

        if (matchLabels is null || matchLabels.Count == 0)
        {
            context.Warning(path, "workload selector specified without labels");
        }
    }

    /// <summary>At most one of <c>selector</c>, <c>targetRef</c> and <c>targetRefs</c> (non-empty) may be given.</summary>
    public static void ValidateOneOfSelectorType(ValidationContext context, bool hasSelector, bool hasTargetRef, int targetRefCount)
    {
        var set = (hasSelector ? 1 : 0) + (hasTargetRef ? 1 : 0) + (targetRefCount > 0 ? 1 : 0);
        if (set > 1)
        {
            var path = hasSelector ? "spec.selector" : "spec.targetRefs";
            context.Error(path, "only one of targetRefs or workloadSelector can be set");
        }
    }

    /// <summary>One policy target reference: a name, no namespace, and a group/kind Istio can attach policy to.</summary>
    public static void ValidatePolicyTargetReference(ValidationContext context, string path, string? group, string? kind, string? name, string? @namespace)
    {
        if (string.IsNullOrEmpty(name))
        {
            context.Error(path + ".name", "targetRef name must be set");
        }

        if (!string.IsNullOrEmpty(@namespace))
        {
            context.Error(path + ".namespace", "targetRef namespace must not be set; cross namespace referencing is not supported");
        }

        group ??= string.Empty;
        kind ??= string.Empty;
        var canonical = group.Length == 0 ? "core" : group;
        var allowed = false;
        foreach (var (allowedGroup, allowedKind) in AllowedTargets)
        {
            var allowedCanonical = allowedGroup.Length == 0 ? "core" : allowedGroup;
            if (allowedKind == kind && allowedCanonical == canonical)
            {
                allowed = true;
                break;
            }
        }

        if (!allowed)
        {
            context.Error(path, $"targetRef must be to one of {AllowedTargetsText} but was {group}/{kind}");
        }
    }
}
