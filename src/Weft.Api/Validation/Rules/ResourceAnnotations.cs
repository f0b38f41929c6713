using Weft.Api.GoCompat;
using Weft.Api.Model;

namespace Weft.Api.Validation.Rules;

/// <summary>
/// The metadata checks Istio's webhook applies to every kind before the kind's own rules (<c>validateMetadata</c>):
/// the dry-run annotation only on AuthorizationPolicy (and only for ALLOW/DENY there), and internal annotations
/// that users may not set.
/// </summary>
internal static class ResourceAnnotations
{
    public const string DryRun = "istio.io/dry-run";
    public const string AlwaysReject = "internal.istio.io/webhook-always-reject";
    public const string InternalParentNamespace = "internal.istio.io/parent-namespace";
    public const string InternalParentNames = "internal.istio.io/parents";

    /// <summary>
    /// Reports the annotations Istio rejects. Returns false when Istio stops there (it validates the spec no further).
    /// <paramref name="dryRunAllowed"/> is true only for AuthorizationPolicy, whose caller checks the value itself.
    /// </summary>
    public static bool Validate(ValidationContext context, bool dryRunAllowed = false)
    {
        var resource = context.Resource;
        var annotations = resource.Metadata.Annotations;
        if (annotations.Count == 0)
        {
            return true;
        }

        if (!dryRunAllowed && annotations.ContainsKey(DryRun))
        {
            context.Error(Path(DryRun), $"{context.ConfigNamespace}/{resource.Name} has unsupported annotation {DryRun}, please remove the annotation");
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

    private static string Path(string annotation) => $"metadata.annotations[{annotation}]";
}
