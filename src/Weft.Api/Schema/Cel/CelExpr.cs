namespace Weft.Api.Schema.Cel;

/// <summary>A node of a parsed CEL expression. Operators are calls with the operator names of <see cref="CelOperator"/>.</summary>
internal abstract record CelExpr(int Position)
{
    /// <summary>Nesting depth, bounded by the parser so that planning and evaluation cannot exhaust the stack.</summary>
    public abstract int Depth { get; }
}
