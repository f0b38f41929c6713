using Weft.Api.Model.Common;
using Weft.Api.Validation.Rules;

namespace Weft.Api.Validation.Security;

/// <summary>
/// The attachment rules the policy kinds share (AuthorizationPolicy, RequestAuthentication, Telemetry, WasmPlugin,
/// TrafficExtension): workload selector labels, policy target references, and that a selector and target references
/// exclude each other.
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
    /// How a policy attaches: at most one of selector, targetRef and targetRefs, then the selector's labels and each
    /// target reference (<paramref name="targetRef"/> is null for kinds that only have targetRefs).
    /// </summary>
    public static void ValidateAttachment(
        ValidationContext context,
        WorkloadSelector? selector,
        PolicyTargetReference? targetRef,
        IReadOnlyList<PolicyTargetReference>? targetRefs)
    {
        ValidateOneOfSelectorType(context, selector is not null, targetRef is not null, targetRefs?.Count ?? 0);
        WorkloadSelectors.Validate(context, "spec.selector", selector);
        if (targetRef is not null)
        {
            ValidatePolicyTargetReference(context, "spec.targetRef", targetRef);
        }

        for (var i = 0; i < (targetRefs?.Count ?? 0); i++)
        {
            ValidatePolicyTargetReference(context, $"spec.targetRefs[{i}]", targetRefs![i]);
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
    public static void ValidatePolicyTargetReference(ValidationContext context, string path, PolicyTargetReference reference)
    {
        var (group, kind, name, @namespace) = (reference.Group, reference.Kind, reference.Name, reference.Namespace);
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
