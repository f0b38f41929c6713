using System.Collections.Concurrent;
using System.Text.RegularExpressions;

namespace Weft.Api.Schema;

/// <summary>
/// CRD patterns compiled once each. The linear-time engine matches RE2's guarantee that no input makes a
/// pattern run away; the timeout is a second line of defence.
/// </summary>
internal static class PatternCache
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(1);
    private static readonly ConcurrentDictionary<string, CompiledPattern> Cache = new(StringComparer.Ordinal);

    public static CompiledPattern Get(string pattern) => Cache.GetOrAdd(pattern, Compile);

    private static CompiledPattern Compile(string pattern)
    {
        var translated = GoRegex.ToDotNet(pattern);
        try
        {
            return new CompiledPattern(new Regex(translated, RegexOptions.CultureInvariant | RegexOptions.NonBacktracking, Timeout), null);
        }
        catch (NotSupportedException)
        {
            // A construct outside the linear engine's subset (not RE2 then, but tolerate it as the backtracker can).
        }
        catch (ArgumentException e)
        {
            return new CompiledPattern(null, e.Message);
        }

        try
        {
            return new CompiledPattern(new Regex(translated, RegexOptions.CultureInvariant, Timeout), null);
        }
        catch (ArgumentException e)
        {
            return new CompiledPattern(null, e.Message);
        }
    }
}
