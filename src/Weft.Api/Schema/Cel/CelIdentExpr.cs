namespace Weft.Api.Schema.Cel;

internal sealed record CelIdentExpr(int Position, string Name) : CelExpr(Position)
{
    public override int Depth => 1;
}
