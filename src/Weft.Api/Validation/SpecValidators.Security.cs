using Weft.Api.Validation.Security;

namespace Weft.Api.Validation;

internal static partial class SpecValidators
{
    // Security, telemetry and extensions kinds.
    private static IEnumerable<ISpecValidator> Security() =>
    [
        new AuthorizationPolicyValidator(),
        new PeerAuthenticationValidator(),
        new RequestAuthenticationValidator(),
        new TelemetryValidator(),
        new WasmPluginValidator(),
        new TrafficExtensionValidator(),
    ];
}
