namespace Weft.Api.GoCompat;

/// <summary>
/// Whether Go's <c>regexp</c> package (RE2 syntax with Perl flags, as <c>regexp.Compile</c> parses it) accepts a
/// pattern, with Go's message when it does not (<c>error parsing regexp: ...</c>): no lookarounds, backreferences,
/// atomic groups, possessive or stacked quantifiers, <c>\C</c> or <c>\Z</c>; counted repeats up to 1000, nested
/// repeats multiplying to at most 1000; known Unicode and POSIX classes only. Names are looked up as Go 1.25 does.
/// </summary>
internal static class GoRegexpSyntax
{
    /// <summary>Null when Go's regexp package compiles <paramref name="pattern"/>, else its error message.</summary>
    public static string? Check(string pattern) => new GoRegexpParser(pattern).Parse();
}
