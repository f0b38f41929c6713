using System.Text.RegularExpressions;

namespace Weft.Api.Schema.Cel;

/// <summary>
/// Turns a parsed expression into an <see cref="CelInterpretable"/> tree: resolves identifiers to variable
/// slots, binds functions, precompiles constant regular expressions and folds calls on constants (so
/// <c>duration('1ms')</c> is parsed once). Unknown names fail here, so unsupported rules fail to compile.
/// </summary>
internal sealed class CelPlanner
{
    private readonly List<(string Name, int Slot)> _scope = [];
    private int _slots = 1;

    private CelPlanner()
    {
    }

    /// <summary>Plans <paramref name="expr"/>; <paramref name="slots"/> is the size of the variable array it needs.</summary>
    public static CelInterpretable Plan(CelExpr expr, out int slots)
    {
        var planner = new CelPlanner();
        var root = planner.Node(expr);
        slots = planner._slots;
        return root;
    }

    private CelInterpretable Node(CelExpr expr) => expr switch
    {
        CelLiteralExpr literal => new EvalConst(literal.Value),
        CelIdentExpr ident => Identifier(ident),
        CelSelectExpr { TestOnly: true } select => new EvalHas(Node(select.Operand), select.Field),
        CelSelectExpr select => new EvalSelect(Node(select.Operand), select.Field),
        CelCallExpr call => Call(call),
        CelListExpr list => List(list),
        CelMapExpr map => Map(map),
        CelComprehensionExpr comprehension => Comprehension(comprehension),
        _ => throw new CelCompileException("unsupported expression", expr.Position),
    };

    private CelInterpretable Identifier(CelIdentExpr ident)
    {
        for (var i = _scope.Count - 1; i >= 0; i--)
        {
            if (_scope[i].Name == ident.Name)
            {
                return new EvalVariable(_scope[i].Slot);
            }
        }

        if (ident.Name == "self")
        {
            return new EvalVariable(0);
        }

        if (CelType.ByIdentifier(ident.Name) is { } type)
        {
            return new EvalConst(type);
        }

        if (ident.Name == "oldSelf")
        {
            throw new CelCompileException("transition rules (oldSelf) are not supported", ident.Position);
        }

        throw new CelCompileException($"undeclared reference to '{ident.Name}'", ident.Position);
    }

    private CelInterpretable Call(CelCallExpr call)
    {
        switch (call.Function)
        {
            case CelOperator.Conditional:
                return Fold(new EvalConditional(Node(call.Args[0]), Node(call.Args[1]), Node(call.Args[2])), call.Args);
            case CelOperator.LogicalAnd:
                return Fold(new EvalAnd(Node(call.Args[0]), Node(call.Args[1])), call.Args);
            case CelOperator.LogicalOr:
                return Fold(new EvalOr(Node(call.Args[0]), Node(call.Args[1])), call.Args);
        }

        var args = new List<CelExpr>(call.Args.Count + 1);
        if (call.Target is not null)
        {
            args.Add(call.Target);
        }

        args.AddRange(call.Args);
        if (call.Function == "matches" && args.Count == 2 && args[1] is CelLiteralExpr { Value: CelString pattern })
        {
            return ConstantPatternMatch(Node(args[0]), pattern.Value, args[1].Position);
        }

        var receiver = call.Target is not null;
        var function = CelLibrary.Find(call.Function, receiver, args.Count) ?? throw Unknown(call, receiver);
        var planned = args.Select(Node).ToArray();
        CelInterpretable node = function switch
        {
            Func<CelValue, CelValue> f => new EvalCall1(f, planned[0]),
            Func<CelValue, CelValue, CelValue> f => new EvalCall2(f, planned[0], planned[1]),
            Func<CelValue, CelValue, CelValue, CelValue> f => new EvalCall3(f, planned[0], planned[1], planned[2]),
            Func<CelValue, CelValue, CelValue, CelValue, CelValue> f => new EvalCall4(f, planned),
            _ => throw new CelCompileException($"unsupported arity for '{call.Function}'", call.Position),
        };
        return Fold(node, planned);
    }

    private static CelCompileException Unknown(CelCallExpr call, bool receiver)
    {
        var name = call.Function;
        if (CelLibrary.Exists(name, receiver))
        {
            return new CelCompileException($"no overload of '{name}' takes {call.Args.Count} argument(s)", call.Position);
        }

        if (CelLibrary.Exists(name, !receiver))
        {
            return new CelCompileException(
                receiver ? $"'{name}' is a function, not a method" : $"'{name}' is a method: call it as x.{name}(...)",
                call.Position);
        }

        return new CelCompileException($"undeclared reference to '{name}'", call.Position);
    }

    /// <summary>Compiles a literal pattern once, and rejects an invalid one at compile time as Kubernetes does.</summary>
    private static CelInterpretable ConstantPatternMatch(CelInterpretable text, string pattern, int position)
    {
        Regex regex;
        try
        {
            regex = CelRegex.Compile(pattern);
        }
        catch (Re2SyntaxException e)
        {
            throw new CelCompileException($"invalid regular expression '{pattern}': {e.Message}", position);
        }

        return new EvalCall1(
            v => v is CelString s ? CelRegex.Matches(regex, s.Value) : CelError.NoOverload("matches", v, new CelString(pattern)),
            text);
    }

    private CelInterpretable List(CelListExpr list)
    {
        var items = list.Items.Select(Node).ToArray();
        return Fold(new EvalList(items), items);
    }

    private CelInterpretable Map(CelMapExpr map)
    {
        var keys = map.Entries.Select(e => Node(e.Key)).ToArray();
        var values = map.Entries.Select(e => Node(e.Value)).ToArray();
        return Fold(new EvalMap(keys, values), [.. keys, .. values]);
    }

    private CelInterpretable Comprehension(CelComprehensionExpr c)
    {
        var range = Node(c.Range);
        var slot = _scope.Count + 1;
        _slots = Math.Max(_slots, slot + 1);
        _scope.Add((c.Variable, slot));
        var predicate = c.Predicate is null ? null : Node(c.Predicate);
        var transform = c.Transform is null ? null : Node(c.Transform);
        _scope.RemoveAt(_scope.Count - 1);
        return new EvalComprehension(c.Kind, range, slot, predicate, transform);
    }

    private CelInterpretable Fold(CelInterpretable node, IReadOnlyList<CelExpr> args) =>
        args.All(a => a is CelLiteralExpr) ? new EvalConst(node.Eval([])) : node;

    /// <summary>Evaluates now what can only ever produce one value; every library function is pure.</summary>
    private static CelInterpretable Fold(CelInterpretable node, CelInterpretable[] args) =>
        args.All(a => a is EvalConst) ? new EvalConst(node.Eval([])) : node;
}
