namespace Weft.Api.Schema.Cel;

internal sealed class CelString(string value) : CelValue
{
    public static readonly CelString Empty = new(string.Empty);

    private int _codePoints = -1;

    public string Value { get; } = value;

    public override CelType Type => CelType.String;

    /// <summary>CEL measures strings in Unicode code points, not UTF-16 units.</summary>
    public int CodePointCount
    {
        get
        {
            if (_codePoints < 0)
            {
                _codePoints = CelText.CountCodePoints(Value);
            }

            return _codePoints;
        }
    }

    public override string ToString() => Value;
}
