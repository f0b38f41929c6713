using System.Text.RegularExpressions;
using Weft.Api.GoCompat;

namespace Weft.Api.Schema;

/// <summary>maxLength, minLength and pattern (only the first failure, as kube-openapi stops there), then format.</summary>
internal static class StringRules
{
    public static void Check(OpenApiWalker walker, SchemaNode schema, in JsonValue value, List<Finding> sink)
    {
        var text = value.Text;
        if (schema.MaxLength is not null || schema.MinLength is not null || schema.Pattern is not null)
        {
            CheckLengthAndPattern(walker, schema, value, text, sink);
        }

        if (Formats.Enforced(schema.Format) is { } format && !Formats.IsValid(format, text) && !walker.OnlyCounting())
        {
            var path = walker.Path.Dotted();
            var quoted = GoStrconv.Quote(text);
            ValidationRun.Report(sink, path, ApiErrors.Invalid(quoted, ApiErrors.InBody(path, $"must be of type {format}: {quoted}")), value.Node.Location, blocking: true);
        }
    }

    private static void CheckLengthAndPattern(OpenApiWalker walker, SchemaNode schema, in JsonValue value, string text, List<Finding> sink)
    {
        // Lengths are in Unicode code points, as Go counts runes.
        var runes = CountRunes(text);
        if (schema.MaxLength is { } max && runes > max)
        {
            if (walker.OnlyCounting())
            {
                return;
            }

            ValidationRun.Report(sink, walker.Path.Dotted(), ApiErrors.TooLong(max), value.Node.Location, blocking: true);
            return;
        }

        if (schema.MinLength is { } min && runes < min)
        {
            if (walker.OnlyCounting())
            {
                return;
            }

            var path = walker.Path.Dotted();
            ValidationRun.Report(sink, path, ApiErrors.Invalid(GoStrconv.Quote(text), ApiErrors.InBody(path, $"should be at least {min} chars long")), value.Node.Location);
            return;
        }

        if (schema.Pattern is { } pattern)
        {
            var detail = MatchPattern(pattern, text);
            if (detail is not null && !walker.OnlyCounting())
            {
                var path = walker.Path.Dotted();
                ValidationRun.Report(sink, path, ApiErrors.Invalid(GoStrconv.Quote(text), ApiErrors.InBody(path, detail)), value.Node.Location);
            }
        }
    }

    /// <summary>Null when the text matches; otherwise what follows "in body" in the message.</summary>
    private static string? MatchPattern(string pattern, string text)
    {
        var compiled = PatternCache.Get(pattern);
        if (compiled.Regex is null)
        {
            return $"should match '{pattern}, but pattern is invalid: {compiled.Error}'";
        }

        try
        {
            return compiled.Regex.IsMatch(text) ? null : $"should match '{pattern}'";
        }
        catch (RegexMatchTimeoutException)
        {
            return $"should match '{pattern}', but matching took too long";
        }
    }

    private static int CountRunes(string s)
    {
        var count = s.Length;
        for (var i = 0; i < s.Length - 1; i++)
        {
            if (char.IsHighSurrogate(s[i]) && char.IsLowSurrogate(s[i + 1]))
            {
                count--;
                i++;
            }
        }

        return count;
    }
}
