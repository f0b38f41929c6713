using Weft.Api.Documents;

namespace Weft.Api.Schema.Cel;

/// <summary>A compiled rule: immutable, and safe to evaluate from many threads at once.</summary>
internal sealed class CelProgram
{
    private readonly CelInterpretable _root;
    private readonly int _slots;

    private CelProgram(CelInterpretable root, int slots)
    {
        _root = root;
        _slots = slots;
    }

    /// <summary>Parses and plans <paramref name="expression"/>; throws <see cref="CelCompileException"/> when it cannot.</summary>
    public static CelProgram Compile(string expression)
    {
        var root = CelPlanner.Plan(CelParser.Parse(expression), out var slots);
        return new CelProgram(root, slots);
    }

    public CelValue Evaluate(Node self) => Evaluate(CelValue.FromNode(self));

    public CelValue Evaluate(CelValue self)
    {
        var vars = new CelValue[_slots];
        vars[0] = self;
        return _root.Eval(vars);
    }
}
