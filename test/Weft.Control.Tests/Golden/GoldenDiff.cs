using System.Text;

namespace Weft.Control.Tests.Golden;

/// <summary>
/// A readable line diff for golden mismatches: the first differing lines, <c>-</c> with the golden file's line number and
/// <c>+</c> with the generated output's, a little context around them, and a count of what is not shown.
/// </summary>
internal static class GoldenDiff
{
    private const int MaxChangedLinesShown = 40;
    private const int Context = 2;

    /// <summary>Above this many differing lines per side the diff is not aligned (the table would be too large).</summary>
    private const int MaxAligned = 1500;

    public static string Describe(string expected, string actual)
    {
        var e = Lines(expected);
        var a = Lines(actual);
        var prefix = 0;
        while (prefix < e.Length && prefix < a.Length && e[prefix] == a[prefix])
        {
            prefix++;
        }

        var suffix = 0;
        while (suffix < e.Length - prefix && suffix < a.Length - prefix && e[^(suffix + 1)] == a[^(suffix + 1)])
        {
            suffix++;
        }

        var ops = Align(e[prefix..(e.Length - suffix)], a[prefix..(a.Length - suffix)], prefix);
        var removed = ops.Count(o => o.Kind == '-');
        var added = ops.Count(o => o.Kind == '+');
        var text = new StringBuilder();
        text.Append("first difference at line ").Append(prefix + 1).Append(": ")
            .Append(removed).Append(" line(s) only in the golden file (-), ")
            .Append(added).Append(" only in the generated output (+)\n");
        for (var i = Math.Max(0, prefix - Context); i < prefix; i++)
        {
            text.Append(Line(' ', i, e[i]));
        }

        var shown = 0;
        for (var i = 0; i < ops.Count && shown < MaxChangedLinesShown; i++)
        {
            var op = ops[i];
            if (op.Kind == ' ' && !NearChange(ops, i))
            {
                if (i > 0 && NearChange(ops, i - 1))
                {
                    text.Append("   ...\n");
                }

                continue;
            }

            text.Append(Line(op.Kind, op.Line, op.Text));
            shown += op.Kind == ' ' ? 0 : 1;
        }

        if (removed + added > shown)
        {
            text.Append("   ... and ").Append(removed + added - shown).Append(" more differing line(s)\n");
        }

        return text.ToString();
    }

    private static string[] Lines(string text) => text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');

    private static string Line(char kind, int index, string text) => $"{kind} {index + 1,5}: {text}\n";

    private static bool NearChange(List<Op> ops, int i)
    {
        for (var j = Math.Max(0, i - Context); j <= Math.Min(ops.Count - 1, i + Context); j++)
        {
            if (ops[j].Kind != ' ')
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Aligns the differing middle by longest common subsequence; too large a middle is shown as removed then added.</summary>
    private static List<Op> Align(string[] e, string[] a, int offset)
    {
        var ops = new List<Op>();
        if (e.Length > MaxAligned || a.Length > MaxAligned)
        {
            ops.AddRange(e.Select((t, i) => new Op('-', offset + i, t)));
            ops.AddRange(a.Select((t, i) => new Op('+', offset + i, t)));
            return ops;
        }

        var lcs = new int[e.Length + 1, a.Length + 1];
        for (var i = e.Length - 1; i >= 0; i--)
        {
            for (var j = a.Length - 1; j >= 0; j--)
            {
                lcs[i, j] = e[i] == a[j] ? lcs[i + 1, j + 1] + 1 : Math.Max(lcs[i + 1, j], lcs[i, j + 1]);
            }
        }

        int x = 0, y = 0;
        while (x < e.Length || y < a.Length)
        {
            if (x < e.Length && y < a.Length && e[x] == a[y])
            {
                ops.Add(new Op(' ', offset + x, e[x]));
                x++;
                y++;
            }
            else if (x < e.Length && (y == a.Length || lcs[x + 1, y] >= lcs[x, y + 1]))
            {
                ops.Add(new Op('-', offset + x, e[x]));
                x++;
            }
            else
            {
                ops.Add(new Op('+', offset + y, a[y]));
                y++;
            }
        }

        return ops;
    }

    private readonly record struct Op(char Kind, int Line, string Text);
}
