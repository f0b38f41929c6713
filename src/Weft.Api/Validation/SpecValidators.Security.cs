namespace Weft.Api.Validation;

internal static partial class SpecValidators
{
    // Security, telemetry and extensions kinds.
    private static IEnumerable<ISpecValidator> Security() => [];
}
