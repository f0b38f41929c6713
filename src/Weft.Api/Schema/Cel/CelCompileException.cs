namespace Weft.Api.Schema.Cel;

/// <summary>A rule that cannot be compiled: a syntax error or a construct this evaluator does not support.</summary>
internal sealed class CelCompileException(string message, int position) : Exception(message)
{
    /// <summary>Offset in the rule text (UTF-16 units) where the problem was found.</summary>
    public int Position { get; } = position;

    public string Describe() => $"{Message} (at offset {Position})";
}
