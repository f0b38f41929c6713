using System.Globalization;

namespace Weft.Api.Schema.Cel;

internal sealed class CelInt : CelValue
{
    // Ports, counts and sizes are small; sharing them keeps hot rules allocation-free.
    private static readonly CelInt[] Small = CreateSmall();

    private CelInt(long value) => Value = value;

    public long Value { get; }

    public override CelType Type => CelType.Int;

    public static CelInt Of(long value) => value is >= -1 and < 1024 ? Small[value + 1] : new CelInt(value);

    public override string ToString() => Value.ToString(CultureInfo.InvariantCulture);

    private static CelInt[] CreateSmall()
    {
        var result = new CelInt[1025];
        for (var i = 0; i < result.Length; i++)
        {
            result[i] = new CelInt(i - 1);
        }

        return result;
    }
}
