namespace Weft.Api.Validation;

internal static partial class SpecValidators
{
    // VirtualService, DestinationRule, Gateway.
    private static IEnumerable<ISpecValidator> Traffic() => [];
}
