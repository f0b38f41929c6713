using Weft.Api.GoCompat;

namespace Weft.Api.Schema.Cel;

internal sealed class CelDouble(double value) : CelValue
{
    public double Value { get; } = value;

    public override CelType Type => CelType.Double;

    public override string ToString() => GoFloatFormat.FormatG(Value);
}
