namespace Weft.Api.Schema.Cel;

internal sealed record CelListExpr(int Position, IReadOnlyList<CelExpr> Items) : CelExpr(Position)
{
    public override int Depth { get; } = 1 + (Items.Count == 0 ? 0 : Items.Max(i => i.Depth));
}
