using Weft.Api.Documents;

namespace Weft.Api.Schema.Cel;

/// <summary>
/// A CEL runtime value. Errors are values too (<see cref="CelError"/>) rather than exceptions, because
/// <c>&amp;&amp;</c>, <c>||</c> and the comprehension macros must be able to absorb them.
/// </summary>
internal abstract class CelValue
{
    public abstract CelType Type { get; }

    /// <summary>Views a document node as CEL sees it: objects and maps as maps, arrays as lists, scalars as primitives.</summary>
    public static CelValue FromNode(Node node) => node switch
    {
        MapNode map => new CelNodeMap(map),
        ListNode list => new CelNodeList(list),
        ScalarNode scalar => FromScalar(scalar),
        _ => new CelError("unsupported document node " + node.GetType().Name),
    };

    private static CelValue FromScalar(ScalarNode scalar) => scalar.Kind switch
    {
        ScalarKind.Null => CelNull.Instance,
        ScalarKind.Bool => CelBool.Of(scalar.AsBool()),
        ScalarKind.Int => CelInt.Of(scalar.AsLong()),
        ScalarKind.Float => new CelDouble(scalar.AsDouble()),
        _ => new CelString(scalar.Text),
    };
}
