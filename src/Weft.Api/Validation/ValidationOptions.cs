using Weft.Api.Documents;

namespace Weft.Api.Validation;

public sealed record ValidationOptions
{
    public static ValidationOptions Default { get; } = new();

    /// <summary>Unknown fields are errors, as with <c>kubectl apply --validate=strict</c>; false ignores them.</summary>
    public bool Strict { get; init; } = true;

    public LoadLimits Limits { get; init; } = LoadLimits.Default;

    /// <summary>Istio's root namespace: mesh-wide policies live here, and istioctl skips Services in it.</summary>
    public string RootNamespace { get; init; } = "istio-system";
}
