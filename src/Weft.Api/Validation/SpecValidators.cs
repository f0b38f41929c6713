namespace Weft.Api.Validation;

/// <summary>The semantic validator of each kind. Each API area lists its own validators in its own part of this class.</summary>
internal static partial class SpecValidators
{
    private static readonly Dictionary<string, ISpecValidator> ByKind = Traffic().Concat(Workloads()).Concat(Security()).Concat(Kubernetes())
        .ToDictionary(v => v.Kind, StringComparer.Ordinal);

    public static ISpecValidator? For(string kind) => ByKind.GetValueOrDefault(kind);
}
