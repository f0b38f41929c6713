namespace Weft.Api.Schema.Cel;

/// <summary>Field selection <c>a.f</c>; with <see cref="TestOnly"/> it is the presence test of <c>has(a.f)</c>.</summary>
internal sealed record CelSelectExpr(int Position, CelExpr Operand, string Field, bool TestOnly) : CelExpr(Position)
{
    public override int Depth { get; } = Operand.Depth + 1;
}
