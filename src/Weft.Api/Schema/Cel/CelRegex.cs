using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using Weft.Api.GoCompat;

namespace Weft.Api.Schema.Cel;

/// <summary>
/// RE2 patterns compiled for .NET. The non-backtracking engine gives RE2's linear-time guarantee; a
/// timeout still bounds the rare pattern that needs backtracking (ASCII word boundaries use lookarounds).
/// </summary>
internal static class CelRegex
{
    private const int MaxCached = 1024;
    private static readonly TimeSpan MatchTimeout = TimeSpan.FromSeconds(1);
    private static readonly ConcurrentDictionary<string, CompiledPattern> Cache = new(StringComparer.Ordinal);

    private sealed record CompiledPattern(Regex? Regex, string? Error);

    /// <summary>
    /// Compiles an RE2 pattern; throws <see cref="Re2SyntaxException"/> with Go's message when Go's regexp rejects it,
    /// or when Go accepts it but it has no faithful .NET rendering (Unicode scripts, for one).
    /// </summary>
    public static Regex Compile(string pattern)
    {
        if (GoRegexpSyntax.Check(pattern) is { } error)
        {
            throw new Re2SyntaxException(error);
        }

        var translation = Re2Translator.Translate(pattern);
        var options = RegexOptions.CultureInvariant;
        try
        {
            return new Regex(translation.Pattern, options | (translation.NeedsBacktracking ? RegexOptions.None : RegexOptions.NonBacktracking), MatchTimeout);
        }
        catch (NotSupportedException)
        {
            return new Regex(translation.Pattern, options, MatchTimeout);
        }
        catch (ArgumentException e)
        {
            throw new Re2SyntaxException("cannot translate pattern: " + e.Message);
        }
    }

    public static CelValue Matches(CelValue text, CelValue pattern) =>
        (text, pattern) is (CelString s, CelString p)
            ? WithPattern(p.Value, regex => Matches(regex, s.Value))
            : CelError.NoOverload("matches", text, pattern);

    public static CelValue Matches(Regex regex, string text)
    {
        try
        {
            return CelBool.Of(regex.IsMatch(text));
        }
        catch (RegexMatchTimeoutException)
        {
            return new CelError("regular expression match timed out");
        }
    }

    /// <summary>The Kubernetes regex library's find(): the first match, or "" when there is none.</summary>
    public static CelValue Find(CelValue text, CelValue pattern) =>
        (text, pattern) is (CelString s, CelString p)
            ? WithPattern(p.Value, regex => Guard(() => new CelString(regex.Match(s.Value) is { Success: true } m ? m.Value : string.Empty)))
            : CelError.NoOverload("find", text, pattern);

    public static CelValue FindAll(CelValue text, CelValue pattern) => FindAll(text, pattern, CelInt.Of(-1));

    /// <summary>findAll(re, n): at most n matches, all of them when n is negative.</summary>
    public static CelValue FindAll(CelValue text, CelValue pattern, CelValue limit)
    {
        if ((text, pattern, limit) is not (CelString s, CelString p, CelInt n))
        {
            return CelError.NoOverload("findAll", text, pattern, limit);
        }

        return WithPattern(p.Value, regex => Guard(() =>
        {
            var results = new List<CelValue>();
            for (var m = regex.Match(s.Value); m.Success && (n.Value < 0 || results.Count < n.Value); m = m.NextMatch())
            {
                results.Add(new CelString(m.Value));
            }

            return new CelArrayList([.. results]);
        }));
    }

    private static CelValue Guard(Func<CelValue> match)
    {
        try
        {
            return match();
        }
        catch (RegexMatchTimeoutException)
        {
            return new CelError("regular expression match timed out");
        }
    }

    private static CelValue WithPattern(string pattern, Func<Regex, CelValue> use)
    {
        if (!Cache.TryGetValue(pattern, out var compiled))
        {
            try
            {
                compiled = new CompiledPattern(Compile(pattern), null);
            }
            catch (Re2SyntaxException e)
            {
                compiled = new CompiledPattern(null, e.Message);
            }

            // Patterns computed at run time could grow the cache without bound; starting over is enough.
            if (Cache.Count >= MaxCached)
            {
                Cache.Clear();
            }

            Cache.TryAdd(pattern, compiled);
        }

        return compiled.Regex is null ? new CelError("invalid regular expression: " + compiled.Error) : use(compiled.Regex);
    }
}
