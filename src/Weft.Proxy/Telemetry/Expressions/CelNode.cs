using System.Text.RegularExpressions;

namespace Weft.Proxy.Telemetry.Expressions;

/// <summary>
/// A node of a parsed expression, planned once (attribute names resolved, functions bound, constant regexes compiled)
/// and evaluated for each entry. Evaluation never throws for data-dependent failures: they are error values.
/// </summary>
internal abstract class CelNode
{
    public abstract CelValue Evaluate(ICelActivation activation);
}

internal sealed class CelLiteralNode(CelValue value) : CelNode
{
    public CelValue Value => value;

    public override CelValue Evaluate(ICelActivation activation) => value;
}

/// <summary>An Envoy attribute, e.g. <c>request.path</c>.</summary>
internal sealed class CelAttributeNode(CelAttribute attribute, string name) : CelNode
{
    public override CelValue Evaluate(ICelActivation activation) =>
        attribute == CelAttribute.Unknown ? CelValue.Error($"no such attribute: {name}") : activation.Resolve(attribute);
}

/// <summary>An identifier that names nothing this evaluator binds (a bare <c>request</c>, an unknown variable).</summary>
internal sealed class CelUnboundNode(string name) : CelNode
{
    public override CelValue Evaluate(ICelActivation activation) => CelValue.Error($"undeclared reference to '{name}'");
}

/// <summary>
/// A top-level attribute name (<c>request</c>, <c>response</c>, …) used as a whole rather than through one of its
/// fields (<c>request.path</c>, planned as a <see cref="CelAttributeNode"/>): this evaluator binds fields only.
/// </summary>
internal sealed class CelRootNode(string name) : CelNode
{
    public string Name => name;

    public override CelValue Evaluate(ICelActivation activation) => CelValue.Error($"{name} is only readable by its fields ({name}.…)");
}

/// <summary><c>operand.field</c> on a map value.</summary>
internal sealed class CelSelectNode(CelNode operand, string name) : CelNode
{
    private readonly CelValue _key = CelValue.String(name);

    public CelNode Operand => operand;

    public string Field => name;

    public override CelValue Evaluate(ICelActivation activation)
    {
        var value = operand.Evaluate(activation);
        return value.Kind switch
        {
            CelKind.Error => value,
            CelKind.Map => value.AsMap.TryGet(_key, out var found) ? found : CelValue.Error($"no such key: {name}"),
            _ => CelValue.Error($"type {value.TypeName} has no field {name}"),
        };
    }
}

/// <summary><c>operand[index]</c> on a list or a map.</summary>
internal sealed class CelIndexNode(CelNode operand, CelNode index) : CelNode
{
    public CelNode Operand => operand;

    public CelNode Index => index;

    public override CelValue Evaluate(ICelActivation activation) => CelOperators.Index(operand.Evaluate(activation), index.Evaluate(activation));
}

/// <summary>The <c>has()</c> macro: whether a field, key or attribute is present; never an error for an absent one.</summary>
internal sealed class CelHasNode(CelNode selection) : CelNode
{
    public override CelValue Evaluate(ICelActivation activation)
    {
        switch (selection)
        {
            case CelAttributeNode attribute:
                return CelValue.Bool(!attribute.Evaluate(activation).IsError);
            case CelSelectNode select:
                var map = select.Operand.Evaluate(activation);
                return map.Kind switch
                {
                    CelKind.Error => map,
                    CelKind.Map => CelValue.Bool(map.AsMap.TryGet(CelValue.String(select.Field), out _)),
                    _ => CelValue.Error($"has() on type {map.TypeName}"),
                };
            case CelIndexNode index:
                var container = index.Operand.Evaluate(activation);
                var key = index.Index.Evaluate(activation);
                if (container.IsError || key.IsError)
                {
                    return container.IsError ? container : key;
                }

                return container.Kind switch
                {
                    CelKind.Map => CelValue.Bool(container.AsMap.TryGet(key, out _)),
                    CelKind.List => CelValue.Bool(!CelOperators.Index(container, key).IsError),
                    _ => CelValue.Error($"has() on type {container.TypeName}"),
                };
            default:
                return CelValue.Error("has() takes a field selection");
        }
    }
}

/// <summary>CEL's <c>&amp;&amp;</c>: false if either side is false (even when the other is an error), left to right, short-circuit.</summary>
internal sealed class CelAndNode(CelNode left, CelNode right) : CelNode
{
    public override CelValue Evaluate(ICelActivation activation)
    {
        var l = left.Evaluate(activation);
        if (l.Kind == CelKind.Bool && !l.AsBool)
        {
            return l;
        }

        var r = right.Evaluate(activation);
        if (r.Kind == CelKind.Bool && !r.AsBool)
        {
            return r;
        }

        return l.Kind == CelKind.Bool && r.Kind == CelKind.Bool ? CelValue.True : Failure(l, r, "_&&_");
    }

    internal static CelValue Failure(CelValue l, CelValue r, string op) =>
        l.IsError ? l
        : r.IsError ? r
        : CelValue.Error($"no matching overload for {op} on {(l.Kind == CelKind.Bool ? r : l).TypeName}");
}

/// <summary>CEL's <c>||</c>: true if either side is true (even when the other is an error), left to right, short-circuit.</summary>
internal sealed class CelOrNode(CelNode left, CelNode right) : CelNode
{
    public override CelValue Evaluate(ICelActivation activation)
    {
        var l = left.Evaluate(activation);
        if (l.Kind == CelKind.Bool && l.AsBool)
        {
            return l;
        }

        var r = right.Evaluate(activation);
        if (r.Kind == CelKind.Bool && r.AsBool)
        {
            return r;
        }

        return l.Kind == CelKind.Bool && r.Kind == CelKind.Bool ? CelValue.False : CelAndNode.Failure(l, r, "_||_");
    }
}

/// <summary><c>condition ? then : otherwise</c>; only the chosen branch is evaluated.</summary>
internal sealed class CelConditionalNode(CelNode condition, CelNode then, CelNode otherwise) : CelNode
{
    public override CelValue Evaluate(ICelActivation activation)
    {
        var c = condition.Evaluate(activation);
        return c.Kind switch
        {
            CelKind.Bool => (c.AsBool ? then : otherwise).Evaluate(activation),
            CelKind.Error => c,
            _ => CelValue.Error($"no matching overload for _?_:_ on {c.TypeName}"),
        };
    }
}

/// <summary>A unary operator or one-argument function, strict in its argument (an error argument is the result).</summary>
internal sealed class CelUnaryNode(Func<CelValue, CelValue> function, CelNode operand) : CelNode
{
    public override CelValue Evaluate(ICelActivation activation)
    {
        var value = operand.Evaluate(activation);
        return value.IsError ? value : function(value);
    }
}

/// <summary>A binary operator or two-argument function (a receiver call counts its receiver), strict in both arguments.</summary>
internal sealed class CelBinaryNode(Func<CelValue, CelValue, CelValue> function, CelNode left, CelNode right) : CelNode
{
    public override CelValue Evaluate(ICelActivation activation)
    {
        var l = left.Evaluate(activation);
        if (l.IsError)
        {
            return l;
        }

        var r = right.Evaluate(activation);
        return r.IsError ? r : function(l, r);
    }
}

/// <summary><c>text.matches(pattern)</c> with a constant pattern, compiled when the expression is parsed.</summary>
internal sealed class CelMatchesNode(CelNode text, Regex pattern) : CelNode
{
    public override CelValue Evaluate(ICelActivation activation)
    {
        var value = text.Evaluate(activation);
        return value.Kind switch
        {
            CelKind.Error => value,
            CelKind.String => CelFunctions.IsMatch(pattern, value.AsString),
            _ => CelValue.Error($"no matching overload for matches on {value.TypeName}"),
        };
    }
}

internal sealed class CelListNode(CelNode[] elements) : CelNode
{
    public override CelValue Evaluate(ICelActivation activation)
    {
        var values = new CelValue[elements.Length];
        for (var i = 0; i < elements.Length; i++)
        {
            values[i] = elements[i].Evaluate(activation);
            if (values[i].IsError)
            {
                return values[i];
            }
        }

        return CelValue.List(values);
    }
}

internal sealed class CelMapNode((CelNode Key, CelNode Value)[] entries) : CelNode
{
    public override CelValue Evaluate(ICelActivation activation)
    {
        var map = new Dictionary<CelValue, CelValue>(entries.Length);
        foreach (var (keyNode, valueNode) in entries)
        {
            var key = keyNode.Evaluate(activation);
            if (key.IsError)
            {
                return key;
            }

            if (key.Kind is not (CelKind.Int or CelKind.Uint or CelKind.String or CelKind.Bool))
            {
                return CelValue.Error($"unsupported map key type {key.TypeName}");
            }

            var value = valueNode.Evaluate(activation);
            if (value.IsError)
            {
                return value;
            }

            if (!map.TryAdd(key, value))
            {
                return CelValue.Error($"repeated map key {key}");
            }
        }

        return CelValue.Map(new CelLiteralMap(map));
    }
}
