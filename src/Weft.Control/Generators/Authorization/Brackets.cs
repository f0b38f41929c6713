namespace Weft.Control.Generators.Authorization;

/// <summary>The names in the brackets of a <c>when</c> key: <c>[NAME]</c>, or nested claims <c>[A][B]</c>.</summary>
internal static class Brackets
{
    /// <summary>The name in <c>[NAME]</c>; null when the text is not in brackets.</summary>
    public static string? Single(string text) =>
        text.StartsWith('[') && text.EndsWith(']') ? text[1..^1] : null;

    /// <summary>
    /// The names of <c>[A][B]…</c>; text that is not such a sequence is read as one <c>[NAME]</c> (so <c>[a[b]</c> names
    /// <c>a[b</c>), and null when it is not in brackets at all.
    /// </summary>
    public static IReadOnlyList<string>? Nested(string text)
    {
        var names = new List<string>();
        var begin = 0;
        while (begin < text.Length)
        {
            var end = EndOf(text, begin);
            if (end < 0)
            {
                return Single(text) is { } one ? [one] : null;
            }

            names.Add(text[(begin + 1)..end]);
            begin = end + 1;
        }

        return names;
    }

    private static int EndOf(string text, int begin)
    {
        if (begin >= text.Length || text[begin] != '[')
        {
            return -1;
        }

        for (var i = begin + 1; i < text.Length; i++)
        {
            if (text[i] == '[')
            {
                return -1;
            }

            if (text[i] == ']')
            {
                return i;
            }
        }

        return -1;
    }
}
