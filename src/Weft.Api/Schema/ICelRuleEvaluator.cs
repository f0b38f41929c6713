using Weft.Api.Documents;

namespace Weft.Api.Schema;

/// <summary>Evaluates one x-kubernetes-validations rule with <paramref name="self"/> bound to the value it applies to.</summary>
public interface ICelRuleEvaluator
{
    CelOutcome Evaluate(CelRule rule, Node self);
}

public enum CelOutcomeKind
{
    Passed,
    Failed,

    /// <summary>The rule could not be evaluated (unsupported construct or runtime error); <see cref="CelOutcome.Error"/> says why.</summary>
    Error,
}

public readonly record struct CelOutcome(CelOutcomeKind Kind, string? Error = null)
{
    public static CelOutcome Passed => new(CelOutcomeKind.Passed);

    public static CelOutcome Failed => new(CelOutcomeKind.Failed);

    public static CelOutcome Fault(string error) => new(CelOutcomeKind.Error, error);
}
