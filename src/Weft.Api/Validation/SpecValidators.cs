namespace Weft.Api.Validation;

/// <summary>The semantic validator of each kind. Each API area lists its own validators in its own part of this class.</summary>
internal static partial class SpecValidators
{
    // Istio's webhook checks the metadata of its own kinds; istioctl's check of Kubernetes Services has no such step.
    private static readonly Dictionary<string, ISpecValidator> ByKind = Traffic().Concat(Workloads()).Concat(Security())
        .Select(ISpecValidator (v) => new WebhookValidator(v))
        .Concat(Kubernetes())
        .ToDictionary(v => v.Kind, StringComparer.Ordinal);

    public static ISpecValidator? For(string kind) => ByKind.GetValueOrDefault(kind);
}
