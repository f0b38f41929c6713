using Weft.Api.Validation.Traffic;

namespace Weft.Api.Validation;

internal static partial class SpecValidators
{
    // VirtualService, DestinationRule, Gateway.
    private static IEnumerable<ISpecValidator> Traffic() =>
    [
        new VirtualServiceValidator(),
        new DestinationRuleValidator(),
        new GatewayValidator(),
    ];
}
