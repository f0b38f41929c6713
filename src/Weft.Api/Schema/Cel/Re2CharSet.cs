using System.Globalization;
using System.Text;

namespace Weft.Api.Schema.Cel;

/// <summary>
/// A set of code points built from an RE2 character class, rendered as .NET pattern text. RE2 matches
/// code points while .NET matches UTF-16 units, so code points above U+FFFF become surrogate-pair
/// alternatives. Unicode categories (\p{..}) are kept as .NET escapes; .NET sees astral characters only
/// as surrogates there, so categories cover the Basic Multilingual Plane.
/// </summary>
internal sealed class Re2CharSet
{
    private const int MaxCodePoint = 0x10FFFF;

    private readonly List<(int Lo, int Hi)> _ranges = [];
    private readonly List<string> _categories = [];

    public void Add(int lo, int hi) => _ranges.Add((lo, hi));

    public void AddCategory(string dotnetEscape) => _categories.Add(dotnetEscape);

    public void AddAll(IEnumerable<(int Lo, int Hi)> ranges) => _ranges.AddRange(ranges);

    /// <summary>Adds another class (or its complement, for \D, \P{..} and the like inside brackets).</summary>
    public void Absorb(Re2CharSet other, bool negated)
    {
        // A class escape carries either ranges (\d, \w, \s, \p{Any}) or one Unicode category, never both.
        if (other._categories.Count == 0)
        {
            _ranges.AddRange(negated ? Complement(other._ranges) : other._ranges);
        }

        foreach (var category in other._categories)
        {
            _categories.Add(negated ? @"\P" + category[2..] : category);
        }
    }

    /// <summary>The code points not in <paramref name="ranges"/>.</summary>
    public static List<(int Lo, int Hi)> Complement(IEnumerable<(int Lo, int Hi)> ranges)
    {
        var result = new List<(int, int)>();
        var next = 0;
        foreach (var (lo, hi) in Normalize(ranges))
        {
            if (lo > next)
            {
                result.Add((next, lo - 1));
            }

            next = hi + 1;
        }

        if (next <= MaxCodePoint)
        {
            result.Add((next, MaxCodePoint));
        }

        return result;
    }

    public string Render(bool negated)
    {
        if (_categories.Count > 0)
        {
            return RenderWithCategories(negated);
        }

        var ranges = negated ? Complement(_ranges) : Normalize(_ranges);
        var bmp = new StringBuilder();
        var astral = new List<string>();
        foreach (var (lo, hi) in ranges)
        {
            // Lone surrogates are not characters; leaving them out keeps a pair from matching half-way.
            AppendBmp(bmp, lo, Math.Min(hi, 0xD7FF));
            AppendBmp(bmp, Math.Max(lo, 0xE000), Math.Min(hi, 0xFFFF));
            if (hi >= 0x10000)
            {
                AppendAstral(astral, Math.Max(lo, 0x10000), hi);
            }
        }

        var alternatives = new List<string>();
        if (bmp.Length > 0)
        {
            alternatives.Add("[" + bmp + "]");
        }

        alternatives.AddRange(astral);
        return alternatives.Count switch
        {
            0 => @"[^\s\S]",
            1 when astral.Count == 0 => alternatives[0],
            _ => "(?:" + string.Join('|', alternatives) + ")",
        };
    }

    private string RenderWithCategories(bool negated)
    {
        var set = new StringBuilder();
        var astral = new List<string>();
        foreach (var (lo, hi) in Normalize(_ranges))
        {
            AppendBmp(set, lo, Math.Min(hi, 0xD7FF));
            AppendBmp(set, Math.Max(lo, 0xE000), Math.Min(hi, 0xFFFF));
            if (hi >= 0x10000 && !negated)
            {
                AppendAstral(astral, Math.Max(lo, 0x10000), hi);
            }
        }

        foreach (var category in _categories)
        {
            set.Append(category);
        }

        var cls = (negated ? "[^" : "[") + set + "]";
        if (negated)
        {
            return @"(?:[\uD800-\uDBFF][\uDC00-\uDFFF]|" + cls + ")";
        }

        return astral.Count == 0 ? cls : "(?:" + cls + "|" + string.Join('|', astral) + ")";
    }

    private static List<(int Lo, int Hi)> Normalize(IEnumerable<(int Lo, int Hi)> ranges)
    {
        var sorted = ranges.Where(r => r.Lo <= r.Hi).OrderBy(r => r.Lo).ToList();
        var result = new List<(int Lo, int Hi)>();
        foreach (var r in sorted)
        {
            if (result.Count > 0 && r.Lo <= result[^1].Hi + 1)
            {
                result[^1] = (result[^1].Lo, Math.Max(result[^1].Hi, r.Hi));
            }
            else
            {
                result.Add(r);
            }
        }

        return result;
    }

    private static void AppendBmp(StringBuilder sb, int lo, int hi)
    {
        if (lo > hi)
        {
            return;
        }

        sb.Append(Unit(lo));
        if (hi > lo)
        {
            sb.Append('-').Append(Unit(hi));
        }
    }

    /// <summary>Code points above U+FFFF as UTF-16 pairs: one alternative per run of shared high surrogates.</summary>
    private static void AppendAstral(List<string> alternatives, int lo, int hi)
    {
        var (loHigh, loLow) = Split(lo);
        var (hiHigh, hiLow) = Split(hi);
        if (loHigh == hiHigh)
        {
            alternatives.Add(Unit(loHigh) + "[" + Unit(loLow) + "-" + Unit(hiLow) + "]");
            return;
        }

        alternatives.Add(Unit(loHigh) + "[" + Unit(loLow) + @"-\uDFFF]");
        if (hiHigh - loHigh > 1)
        {
            alternatives.Add("[" + Unit(loHigh + 1) + "-" + Unit(hiHigh - 1) + @"][\uDC00-\uDFFF]");
        }

        alternatives.Add(Unit(hiHigh) + @"[\uDC00-" + Unit(hiLow) + "]");
    }

    private static (int High, int Low) Split(int codePoint)
    {
        var v = codePoint - 0x10000;
        return (0xD800 + (v >> 10), 0xDC00 + (v & 0x3FF));
    }

    public static string Unit(int c) => @"\u" + c.ToString("X4", CultureInfo.InvariantCulture);
}
