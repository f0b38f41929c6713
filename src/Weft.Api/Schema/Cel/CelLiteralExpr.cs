namespace Weft.Api.Schema.Cel;

internal sealed record CelLiteralExpr(int Position, CelValue Value) : CelExpr(Position)
{
    public override int Depth => 1;
}
