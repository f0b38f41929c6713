namespace Weft.Api.Schema.Cel;

/// <summary>String helpers that count and index in Unicode code points, as CEL (and Go's rune slices) do.</summary>
internal static class CelText
{
    public static int CountCodePoints(string s)
    {
        var count = s.Length;
        foreach (var c in s)
        {
            // The low half of a pair is not a code point of its own.
            if (char.IsLowSurrogate(c))
            {
                count--;
            }
        }

        return count;
    }

    /// <summary>Splits a string into its code points (each as a string, pairs kept together).</summary>
    public static string[] CodePoints(string s)
    {
        var result = new string[CountCodePoints(s)];
        var n = 0;
        for (var i = 0; i < s.Length; i++)
        {
            if (char.IsHighSurrogate(s[i]) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]))
            {
                result[n++] = s.Substring(i, 2);
                i++;
            }
            else
            {
                result[n++] = s[i].ToString();
            }
        }

        return n == result.Length ? result : result[..n];
    }

    /// <summary>The UTF-16 offset of code point <paramref name="codePoint"/>; the string length when it equals the count.</summary>
    public static int OffsetOf(string s, int codePoint)
    {
        var i = 0;
        for (var n = 0; n < codePoint && i < s.Length; n++)
        {
            i += char.IsHighSurrogate(s[i]) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]) ? 2 : 1;
        }

        return i;
    }

    /// <summary>The code point index of UTF-16 offset <paramref name="offset"/>.</summary>
    public static int CodePointIndexOf(string s, int offset) => offset - CountLowSurrogates(s.AsSpan(0, offset));

    /// <summary>
    /// Orders strings by code point, which is how Go orders UTF-8 strings; ordinal UTF-16 order differs
    /// once surrogate pairs meet characters in U+E000..U+FFFF.
    /// </summary>
    public static int CompareCodePoints(string a, string b)
    {
        var n = Math.Min(a.Length, b.Length);
        for (var i = 0; i < n; i++)
        {
            if (a[i] != b[i])
            {
                return Fix(a[i]).CompareTo(Fix(b[i]));
            }
        }

        return a.Length.CompareTo(b.Length);

        static int Fix(char c) => c >= 0xE000 ? c - 0x800 : c >= 0xD800 ? c + 0x2000 : c;
    }

    private static int CountLowSurrogates(ReadOnlySpan<char> s)
    {
        var count = 0;
        foreach (var c in s)
        {
            if (char.IsLowSurrogate(c))
            {
                count++;
            }
        }

        return count;
    }
}
