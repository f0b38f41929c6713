namespace Weft.Api.Schema.Cel;

/// <summary>size() and the standard string functions contains, startsWith and endsWith.</summary>
internal static class CelStrings
{
    public static CelValue Size(CelValue v) => v switch
    {
        CelString s => CelInt.Of(s.CodePointCount),
        CelList l => CelInt.Of(l.Count),
        CelMap m => CelInt.Of(m.Count),
        _ => CelError.NoOverload("size", v),
    };

    public static CelValue Contains(CelValue s, CelValue sub) => (s, sub) is (CelString a, CelString b)
        ? CelBool.Of(a.Value.Contains(b.Value, StringComparison.Ordinal))
        : CelError.NoOverload("contains", s, sub);

    public static CelValue StartsWith(CelValue s, CelValue prefix) => (s, prefix) is (CelString a, CelString b)
        ? CelBool.Of(a.Value.StartsWith(b.Value, StringComparison.Ordinal))
        : CelError.NoOverload("startsWith", s, prefix);

    public static CelValue EndsWith(CelValue s, CelValue suffix) => (s, suffix) is (CelString a, CelString b)
        ? CelBool.Of(a.Value.EndsWith(b.Value, StringComparison.Ordinal))
        : CelError.NoOverload("endsWith", s, suffix);
}
