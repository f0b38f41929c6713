using Weft.Api.Model.Security;

namespace Weft.Control.Push;

/// <summary>An AuthorizationPolicy in force, as the authorization generators read it.</summary>
internal sealed record AuthorizationPolicyView(string Namespace, string Name, IReadOnlyDictionary<string, string> Annotations, AuthorizationPolicySpec Spec)
{
    public const string DryRunAnnotation = "istio.io/dry-run";

    /// <summary>ALLOW, DENY, AUDIT or CUSTOM; an unset action is ALLOW.</summary>
    public string Action => Spec.Action is { Length: > 0 } action ? action : "ALLOW";

    /// <summary>
    /// <c>istio.io/dry-run</c> read as Go's strconv.ParseBool reads it (1, t, T, TRUE, true, True and the false forms); a
    /// value it does not read counts as false, as in Istio, which logs it.
    /// </summary>
    public bool DryRun => Annotations.TryGetValue(DryRunAnnotation, out var value)
        && value is "1" or "t" or "T" or "true" or "TRUE" or "True";
}
