namespace Weft.Api.Validation.Workloads;

/// <summary>
/// The metadata checks Istio runs before every kind's own rules (<c>validateMetadata</c>): annotations that only
/// Istio itself may set, and <c>istio.io/dry-run</c>, which only AuthorizationPolicy supports. Any of them
/// rejects the resource at once, so the kind's rules are not run.
/// </summary>
internal static class IstioMetadataRules
{
    public const string DryRun = "istio.io/dry-run";
    public const string AlwaysReject = "internal.istio.io/webhook-always-reject";
    public const string InternalParentNamespace = "internal.istio.io/parent-namespace";
    public const string InternalParentNames = "internal.istio.io/parents";

    /// <summary>Reports a forbidden annotation of a kind other than AuthorizationPolicy; true when one was found.</summary>
    public static bool Rejects(ValidationContext context)
    {
        var annotations = context.Resource.Metadata.Annotations;
        if (annotations.Count == 0)
        {
            return false;
        }

        if (annotations.ContainsKey(DryRun))
        {
            context.Error(
                "metadata.annotations[" + DryRun + "]",
                $"{context.ConfigNamespace}/{context.Resource.Name} has unsupported annotation {DryRun}, please remove the annotation");
            return true;
        }

        if (annotations.ContainsKey(AlwaysReject))
        {
            context.Error("metadata.annotations[" + AlwaysReject + "]", $"\"{AlwaysReject}\" annotation found, rejecting");
            return true;
        }

        foreach (var name in (ReadOnlySpan<string>)[InternalParentNamespace, InternalParentNames])
        {
            if (annotations.ContainsKey(name))
            {
                context.Error("metadata.annotations[" + name + "]", $"\"{name}\" annotation found, this may not be set by users");
                return true;
            }
        }

        return false;
    }
}
