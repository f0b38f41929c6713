using System.Text;

namespace Weft.Api.Schema.Cel;

/// <summary>
/// cel-go's strings extension as Kubernetes enables it. Positions and lengths are in code points;
/// out-of-range positions are errors rather than clamped.
/// </summary>
internal static class CelStringsExtension
{
    public static CelValue CharAt(CelValue s, CelValue index)
    {
        if ((s, index) is not (CelString str, CelInt i))
        {
            return CelError.NoOverload("charAt", s, index);
        }

        if (i.Value < 0 || i.Value > str.CodePointCount)
        {
            return OutOfRange(i.Value);
        }

        if (i.Value == str.CodePointCount)
        {
            return CelString.Empty;
        }

        var at = CelText.OffsetOf(str.Value, (int)i.Value);
        return new CelString(char.IsHighSurrogate(str.Value[at]) && at + 1 < str.Value.Length ? str.Value.Substring(at, 2) : str.Value[at].ToString());
    }

    public static CelValue IndexOf(CelValue s, CelValue sub) => (s, sub) is (CelString a, CelString b)
        ? CelInt.Of(b.Value.Length == 0 ? 0 : ToCodePoints(a.Value, a.Value.IndexOf(b.Value, StringComparison.Ordinal)))
        : CelError.NoOverload("indexOf", s, sub);

    public static CelValue IndexOf(CelValue s, CelValue sub, CelValue offset)
    {
        if ((s, sub, offset) is not (CelString a, CelString b, CelInt o))
        {
            return CelError.NoOverload("indexOf", s, sub, offset);
        }

        if (b.Value.Length == 0)
        {
            return o;
        }

        if (o.Value < 0 || o.Value >= a.CodePointCount)
        {
            return OutOfRange(o.Value);
        }

        var from = CelText.OffsetOf(a.Value, (int)o.Value);
        return CelInt.Of(ToCodePoints(a.Value, a.Value.IndexOf(b.Value, from, StringComparison.Ordinal)));
    }

    public static CelValue LastIndexOf(CelValue s, CelValue sub) => (s, sub) is (CelString a, CelString b)
        ? CelInt.Of(b.Value.Length == 0 ? a.CodePointCount : ToCodePoints(a.Value, a.Value.LastIndexOf(b.Value, StringComparison.Ordinal)))
        : CelError.NoOverload("lastIndexOf", s, sub);

    /// <summary>The last occurrence starting at or before code point <paramref name="offset"/>.</summary>
    public static CelValue LastIndexOf(CelValue s, CelValue sub, CelValue offset)
    {
        if ((s, sub, offset) is not (CelString a, CelString b, CelInt o))
        {
            return CelError.NoOverload("lastIndexOf", s, sub, offset);
        }

        if (b.Value.Length == 0)
        {
            return o;
        }

        if (o.Value < 0 || o.Value >= a.CodePointCount)
        {
            return OutOfRange(o.Value);
        }

        var from = CelText.OffsetOf(a.Value, (int)o.Value);
        var last = Math.Min(from, a.Value.Length - b.Value.Length);
        for (var i = last; i >= 0; i--)
        {
            if (string.CompareOrdinal(a.Value, i, b.Value, 0, b.Value.Length) == 0)
            {
                return CelInt.Of(CelText.CodePointIndexOf(a.Value, i));
            }
        }

        return CelInt.Of(-1);
    }

    public static CelValue LowerAscii(CelValue s) => s is CelString str
        ? new CelString(MapAscii(str.Value, static c => char.IsAsciiLetterUpper(c) ? (char)(c + 32) : c))
        : CelError.NoOverload("lowerAscii", s);

    public static CelValue UpperAscii(CelValue s) => s is CelString str
        ? new CelString(MapAscii(str.Value, static c => char.IsAsciiLetterLower(c) ? (char)(c - 32) : c))
        : CelError.NoOverload("upperAscii", s);

    public static CelValue Replace(CelValue s, CelValue old, CelValue replacement) => Replace(s, old, replacement, CelInt.Of(-1));


    /// <summary>Go's strings.Replace: at most n replacements (all when negative); an empty pattern matches between code points.</summary>
    public static CelValue Replace(CelValue s, CelValue old, CelValue replacement, CelValue limit)
    {
        if ((s, old, replacement, limit) is not (CelString str, CelString o, CelString r, CelInt n))
        {
            return new CelError($"no such overload: replace({s.Type.Name}, {old.Type.Name}, {replacement.Type.Name}, {limit.Type.Name})");
        }

        var remaining = n.Value < 0 ? long.MaxValue : n.Value;
        var sb = new StringBuilder();
        if (o.Value.Length == 0)
        {
            var points = CelText.CodePoints(str.Value);
            for (var i = 0; i <= points.Length; i++)
            {
                if (remaining > 0)
                {
                    sb.Append(r.Value);
                    remaining--;
                }

                if (i < points.Length)
                {
                    sb.Append(points[i]);
                }
            }

            return new CelString(sb.ToString());
        }

        var at = 0;
        while (remaining > 0)
        {
            var next = str.Value.IndexOf(o.Value, at, StringComparison.Ordinal);
            if (next < 0)
            {
                break;
            }

            sb.Append(str.Value, at, next - at).Append(r.Value);
            at = next + o.Value.Length;
            remaining--;
        }

        sb.Append(str.Value, at, str.Value.Length - at);
        return new CelString(sb.ToString());
    }

    public static CelValue Split(CelValue s, CelValue separator) => Split(s, separator, CelInt.Of(-1));

    /// <summary>Go's strings.SplitN: n == 0 gives no parts, n &lt; 0 all of them; an empty separator splits into code points.</summary>
    public static CelValue Split(CelValue s, CelValue separator, CelValue limit)
    {
        if ((s, separator, limit) is not (CelString str, CelString sep, CelInt n))
        {
            return CelError.NoOverload("split", s, separator, limit);
        }

        if (n.Value == 0)
        {
            return CelArrayList.Empty;
        }

        var parts = new List<CelValue>();
        if (sep.Value.Length == 0)
        {
            var points = CelText.CodePoints(str.Value);
            var count = n.Value < 0 || n.Value > points.Length ? points.Length : (int)n.Value;
            for (var i = 0; i < count - 1; i++)
            {
                parts.Add(new CelString(points[i]));
            }

            if (count > 0)
            {
                parts.Add(new CelString(string.Concat(points[(count - 1)..])));
            }

            return new CelArrayList([.. parts]);
        }

        var at = 0;
        while (n.Value < 0 || parts.Count < n.Value - 1)
        {
            var next = str.Value.IndexOf(sep.Value, at, StringComparison.Ordinal);
            if (next < 0)
            {
                break;
            }

            parts.Add(new CelString(str.Value[at..next]));
            at = next + sep.Value.Length;
        }

        parts.Add(new CelString(str.Value[at..]));
        return new CelArrayList([.. parts]);
    }

    public static CelValue Substring(CelValue s, CelValue start)
    {
        if ((s, start) is not (CelString str, CelInt from))
        {
            return CelError.NoOverload("substring", s, start);
        }

        return from.Value < 0 || from.Value > str.CodePointCount
            ? OutOfRange(from.Value)
            : new CelString(str.Value[CelText.OffsetOf(str.Value, (int)from.Value)..]);
    }

    public static CelValue Substring(CelValue s, CelValue start, CelValue end)
    {
        if ((s, start, end) is not (CelString str, CelInt from, CelInt to))
        {
            return CelError.NoOverload("substring", s, start, end);
        }

        if (from.Value > to.Value)
        {
            return new CelError($"invalid substring range. start: {from.Value}, end: {to.Value}");
        }

        if (from.Value < 0 || from.Value > str.CodePointCount)
        {
            return OutOfRange(from.Value);
        }

        if (to.Value < 0 || to.Value > str.CodePointCount)
        {
            return OutOfRange(to.Value);
        }

        var a = CelText.OffsetOf(str.Value, (int)from.Value);
        var b = CelText.OffsetOf(str.Value, (int)to.Value);
        return new CelString(str.Value[a..b]);
    }

    /// <summary>Removes leading and trailing Unicode white space.</summary>
    public static CelValue Trim(CelValue s) => s is CelString str
        ? new CelString(str.Value.Trim())
        : CelError.NoOverload("trim", s);

    public static CelValue Join(CelValue list) => Join(list, CelString.Empty);

    public static CelValue Join(CelValue list, CelValue separator)
    {
        if ((list, separator) is not (CelList items, CelString sep))
        {
            return CelError.NoOverload("join", list, separator);
        }

        var parts = new string[items.Count];
        for (var i = 0; i < items.Count; i++)
        {
            if (items[i] is not CelString part)
            {
                return new CelError($"join: list element {i} is a {items[i].Type.Name}, not a string");
            }

            parts[i] = part.Value;
        }

        return new CelString(string.Join(sep.Value, parts));
    }

    public static CelValue Reverse(CelValue s)
    {
        if (s is not CelString str)
        {
            return CelError.NoOverload("reverse", s);
        }

        var points = CelText.CodePoints(str.Value);
        Array.Reverse(points);
        return new CelString(string.Concat(points));
    }

    private static int ToCodePoints(string s, int offset) => offset < 0 ? -1 : CelText.CodePointIndexOf(s, offset);

    private static CelError OutOfRange(long index) => new($"index out of range: {index}");

    private static string MapAscii(string s, Func<char, char> map) => string.Create(s.Length, (s, map), static (span, state) =>
    {
        for (var i = 0; i < span.Length; i++)
        {
            span[i] = state.map(state.s[i]);
        }
    });
}
