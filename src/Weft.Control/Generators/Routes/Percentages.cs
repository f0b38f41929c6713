using Percent = Weft.Api.Model.Networking.Percent;
using Weft.Xds.Envoy.Config.Core.V3;
using Weft.Xds.Envoy.Type.V3;

namespace Weft.Control.Generators.Routes;

/// <summary>Istio's two percentage forms as Envoy fractions.</summary>
internal static class Percentages
{
    /// <summary>
    /// A <c>Percent</c> (a double, 0–100) in millionths, truncated as Istio truncates, so 0.1% stays exact and a
    /// sampling rate below one request in a million becomes zero.
    /// </summary>
    public static FractionalPercent Of(Percent percent) => new()
    {
        Numerator = (uint)((percent.Value ?? 0) * 10000),
        Denominator = FractionalPercent.Types.DenominatorType.Million,
    };

    /// <summary>A deprecated integer percentage, in hundredths.</summary>
    public static FractionalPercent OfInteger(long percent) => new()
    {
        Numerator = (uint)percent,
        Denominator = FractionalPercent.Types.DenominatorType.Hundred,
    };

    public static RuntimeFractionalPercent Runtime(FractionalPercent value) => new() { DefaultValue = value };
}
