using Weft.Xds.Envoy.Config.Core.V3;
using Weft.Xds.Envoy.Type.V3;

namespace Weft.Proxy.Snapshot.Matching;

/// <summary>
/// An Envoy <c>FractionalPercent</c>: a random value modulo the denominator below the numerator is a hit. A numerator
/// above the denominator means always. Certain outcomes draw no random value, so a configuration at 0% or 100% leaves
/// the request's draws as they would be without it.
/// </summary>
internal readonly record struct Percentage(ulong Numerator, ulong Denominator)
{
    public static readonly Percentage Always = new(100, 100);

    public static readonly Percentage Never = new(0, 100);

    /// <summary>The fraction; an absent one is 0%, as Envoy reads a missing <c>FractionalPercent</c>.</summary>
    public static Percentage Of(FractionalPercent? percent)
    {
        if (percent is null)
        {
            return Never;
        }

        var denominator = percent.Denominator switch
        {
            FractionalPercent.Types.DenominatorType.Hundred => 100UL,
            FractionalPercent.Types.DenominatorType.TenThousand => 10_000UL,
            _ => 1_000_000UL,
        };
        return new Percentage(Math.Min(percent.Numerator, denominator), denominator);
    }

    /// <summary>A runtime fraction's default value (this proxy has no runtime layer), or <paramref name="absent"/> when unset.</summary>
    public static Percentage Of(RuntimeFractionalPercent? runtime, Percentage absent) =>
        runtime is null ? absent : Of(runtime.DefaultValue);

    public bool IsAlways => Numerator >= Denominator;

    public bool IsNever => Numerator == 0;

    public bool Hit(ulong random) => random % Denominator < Numerator;

    /// <summary>Whether this request is in the fraction, drawing a value only when the outcome is not certain.</summary>
    public bool Hit(Func<ulong> random) => !IsNever && (IsAlways || Hit(random()));

    public override string ToString() => $"{Numerator}/{Denominator}";
}
