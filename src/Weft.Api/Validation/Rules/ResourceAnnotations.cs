using Weft.Api.GoCompat;
using Weft.Api.Model.Security;

namespace Weft.Api.Validation.Rules;

/// <summary>
/// Istio's <c>validateMetadata</c>, which its webhook runs before every kind's own rules: <c>istio.io/dry-run</c>
/// only on an ALLOW or DENY AuthorizationPolicy and only with a boolean value, and no internal annotation that only
/// Istio itself may set. The first problem rejects the resource; Istio then checks nothing else.
/// </summary>
internal static class ResourceAnnotations
{
    public const string DryRun = "istio.io/dry-run";
    public const string AlwaysReject = "internal.istio.io/webhook-always-reject";
    public const string InternalParentNamespace = "internal.istio.io/parent-namespace";
    public const string InternalParentNames = "internal.istio.io/parents";

    private static readonly string[] AuthorizationAction = ["ALLOW", "DENY", "AUDIT", "CUSTOM"];

    /// <summary>Reports what Istio rejects; false when it rejects the resource.</summary>
    public static bool Validate(ValidationContext context)
    {
        var annotations = context.Resource.Metadata.Annotations;
        if (annotations.Count == 0)
        {
            return true;
        }

        if (annotations.TryGetValue(DryRun, out var dryRun) && DryRunError(context, dryRun) is { } dryRunError)
        {
            context.Error(Path(DryRun), dryRunError);
            return false;
        }

        foreach (var name in (ReadOnlySpan<string>)[AlwaysReject, InternalParentNamespace, InternalParentNames])
        {
            if (annotations.ContainsKey(name))
            {
                context.Error(Path(name), name == AlwaysReject
                    ? $"{GoStrconv.Quote(name)} annotation found, rejecting"
                    : $"{GoStrconv.Quote(name)} annotation found, this may not be set by users");
                return false;
            }
        }

        return true;
    }

    private static string? DryRunError(ValidationContext context, string value)
    {
        var resource = $"{context.ConfigNamespace}/{context.Resource.Name}";
        if (context.Resource.Kind != "AuthorizationPolicy")
        {
            return $"{resource} has unsupported annotation {DryRun}, please remove the annotation";
        }

        var action = EnumNames.Of((context.Resource.Spec as AuthorizationPolicySpec)?.Action, AuthorizationAction);
        if (action is not ("ALLOW" or "DENY"))
        {
            return $"the annotation {DryRun} currently only supports action ALLOW/DENY, found action {action} in {resource}";
        }

        return GoStrconv.TryParseBool(value, out _)
            ? null
            : $"{resource} has annotation {DryRun} with invalid value ({value}): {GoStrconv.ParseBoolError(value)}";
    }

    private static string Path(string annotation) => $"metadata.annotations[{annotation}]";
}
