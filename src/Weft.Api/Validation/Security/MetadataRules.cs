using Weft.Api.GoCompat;
using Weft.Api.Model;

namespace Weft.Api.Validation.Security;

/// <summary>
/// The metadata checks Istio's webhook runs before every kind's own validation: the <c>istio.io/dry-run</c>
/// annotation (AuthorizationPolicy with ALLOW or DENY only, and a boolean value) and the internal annotations users
/// may not set.
/// </summary>
internal static class MetadataRules
{
    public const string DryRunAnnotation = "istio.io/dry-run";
    private const string AlwaysRejectAnnotation = "internal.istio.io/webhook-always-reject";
    private const string InternalParentNamespace = "internal.istio.io/parent-namespace";
    private const string InternalParentNames = "internal.istio.io/parents";

    /// <param name="authorizationAction">The AuthorizationPolicy action as written ("" when absent), or null for any other kind.</param>
    public static void Validate(ValidationContext context, string? authorizationAction)
    {
        var meta = context.Resource.Metadata;
        var annotations = meta.Annotations;
        if (annotations.TryGetValue(DryRunAnnotation, out var dryRun))
        {
            var path = $"metadata.annotations[{DryRunAnnotation}]";
            if (authorizationAction is null)
            {
                context.Error(path, $"{meta.Namespace}/{meta.Name} has unsupported annotation {DryRunAnnotation}, please remove the annotation");
            }
            else if (authorizationAction is "" or "ALLOW" or "DENY")
            {
                if (!GoStrconv.TryParseBool(dryRun, out _))
                {
                    context.Error(path, $"{meta.Namespace}/{meta.Name} has annotation {DryRunAnnotation} with invalid value ({dryRun}): {GoStrconv.ParseBoolError(dryRun)}");
                }
            }
            else
            {
                context.Error(path, $"the annotation {DryRunAnnotation} currently only supports action ALLOW/DENY, found action {authorizationAction} in {meta.Namespace}/{meta.Name}");
            }
        }

        Reject(context, annotations, AlwaysRejectAnnotation, "annotation found, rejecting");
        Reject(context, annotations, InternalParentNamespace, "annotation found, this may not be set by users");
        Reject(context, annotations, InternalParentNames, "annotation found, this may not be set by users");
    }

    private static void Reject(ValidationContext context, IReadOnlyDictionary<string, string> annotations, string name, string why)
    {
        if (annotations.ContainsKey(name))
        {
            context.Error($"metadata.annotations[{name}]", $"{GoStrconv.Quote(name)} {why}");
        }
    }

    public static T SpecOrEmpty<T>(Resource resource)
        where T : class, new() => resource.Spec as T ?? new T();
}
