namespace Weft.Api.Schema.Cel;

/// <summary>A function call <c>f(args)</c>, a receiver call <c>target.f(args)</c>, or an operator.</summary>
internal sealed record CelCallExpr(int Position, CelExpr? Target, string Function, IReadOnlyList<CelExpr> Args) : CelExpr(Position)
{
    public override int Depth { get; } = 1 + Math.Max(Target?.Depth ?? 0, Args.Count == 0 ? 0 : Args.Max(a => a.Depth));
}
