namespace Weft.Api.Schema.Cel;

/// <summary>
/// CEL's commutative logical operators: a false operand decides <c>&amp;&amp;</c> and a true one decides <c>||</c>
/// whichever side it is on, so an error (or non-bool) on the other side is absorbed.
/// </summary>
internal static class CelLogic
{
    public static CelValue And(CelValue left, CelValue right) => Combine(left, right, decisive: false, CelOperator.LogicalAnd);

    public static CelValue Or(CelValue left, CelValue right) => Combine(left, right, decisive: true, CelOperator.LogicalOr);

    private static CelValue Combine(CelValue left, CelValue right, bool decisive, string name)
    {
        if (left is CelBool l && l.Value == decisive)
        {
            return left;
        }

        if (right is CelBool r && r.Value == decisive)
        {
            return right;
        }

        if (left is CelBool && right is CelBool)
        {
            return left;
        }

        if (left is CelError)
        {
            return left;
        }

        return right is CelError ? right : CelError.NoOverload(name, left, right);
    }
}
