namespace Weft.Api.Schema.Cel;

/// <summary>
/// A planned, immutable expression node. <paramref name="vars"/> holds <c>self</c> in slot 0 and the
/// comprehension variables in the slots the planner assigned; each evaluation has its own array.
/// </summary>
internal abstract class CelInterpretable
{
    public abstract CelValue Eval(CelValue[] vars);
}
