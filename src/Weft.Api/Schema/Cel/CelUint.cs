using System.Globalization;

namespace Weft.Api.Schema.Cel;

internal sealed class CelUint(ulong value) : CelValue
{
    public ulong Value { get; } = value;

    public override CelType Type => CelType.Uint;

    public override string ToString() => Value.ToString(CultureInfo.InvariantCulture) + "u";
}
