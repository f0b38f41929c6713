namespace Weft.Api.Schema.Cel;

/// <summary>
/// A macro that iterates a list (its elements) or a map (its keys), binding <see cref="Variable"/>.
/// <see cref="Predicate"/> is null for a plain map; <see cref="Transform"/> only exists for map.
/// </summary>
internal sealed record CelComprehensionExpr(
    int Position,
    CelComprehensionKind Kind,
    CelExpr Range,
    string Variable,
    CelExpr? Predicate,
    CelExpr? Transform) : CelExpr(Position)
{
    public override int Depth { get; } = 1 + Math.Max(Range.Depth, Math.Max(Predicate?.Depth ?? 0, Transform?.Depth ?? 0));
}
