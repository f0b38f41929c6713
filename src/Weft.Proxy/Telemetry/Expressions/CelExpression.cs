namespace Weft.Proxy.Telemetry.Expressions;

/// <summary>
/// A CEL expression, parsed and planned once (when its configuration arrives) and evaluated per access log entry.
/// Equal texts make equal expressions, so a configuration that repeats one compares equal.
/// </summary>
internal sealed class CelExpression : IEquatable<CelExpression>
{
    private readonly CelNode _root;

    private CelExpression(string text, CelNode root)
    {
        Text = text;
        _root = root;
    }

    public string Text { get; }

    /// <summary>Parses <paramref name="text"/>; one that does not parse, or uses what this evaluator lacks, is a <see cref="FormatException"/>.</summary>
    public static CelExpression Parse(string text)
    {
        try
        {
            return new CelExpression(text, CelParser.Parse(text));
        }
        catch (FormatException e)
        {
            throw new FormatException($"CEL expression \"{text}\" does not parse: {e.Message}", e);
        }
    }

    public CelValue Evaluate(ICelActivation activation) => _root.Evaluate(activation);

    /// <summary>Envoy's test for a filter: the value is boolean true; an error or any other value is false.</summary>
    public bool IsTrue(ICelActivation activation) => Evaluate(activation) is { Kind: CelKind.Bool, AsBool: true };

    public bool Equals(CelExpression? other) => other is not null && string.Equals(Text, other.Text, StringComparison.Ordinal);

    public override bool Equals(object? obj) => Equals(obj as CelExpression);

    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Text);

    public override string ToString() => Text;
}
