namespace Weft.Api.Schema.Cel;

internal sealed record CelMapExpr(int Position, IReadOnlyList<CelMapEntry> Entries) : CelExpr(Position)
{
    public override int Depth { get; } = 1 + (Entries.Count == 0 ? 0 : Entries.Max(e => Math.Max(e.Key.Depth, e.Value.Depth)));
}
