namespace Weft.Control.Generators.Authorization;

/// <summary>
/// What translating an attribute value gave: a matcher, nothing (the value adds no condition), or why it cannot be
/// translated here (an HTTP-only attribute on a TCP chain, a malformed value). Whether an error drops the whole rule or
/// only the value is the caller's decision (see <see cref="RuleCondition"/>).
/// </summary>
internal readonly record struct Translated<T>(T? Value, string? Error)
    where T : class
{
    public static Translated<T> Of(T value) => new(value, null);

    public static Translated<T> Fail(string error) => new(null, error);
}
