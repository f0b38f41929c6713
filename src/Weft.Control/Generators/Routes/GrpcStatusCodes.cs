namespace Weft.Control.Generators.Routes;

/// <summary>gRPC status names, as a VirtualService fault abort spells them, with their numeric codes.</summary>
internal static class GrpcStatusCodes
{
    private static readonly Dictionary<string, uint> Codes = new(StringComparer.Ordinal)
    {
        ["OK"] = 0,
        ["CANCELLED"] = 1,
        ["UNKNOWN"] = 2,
        ["INVALID_ARGUMENT"] = 3,
        ["DEADLINE_EXCEEDED"] = 4,
        ["NOT_FOUND"] = 5,
        ["ALREADY_EXISTS"] = 6,
        ["PERMISSION_DENIED"] = 7,
        ["RESOURCE_EXHAUSTED"] = 8,
        ["FAILED_PRECONDITION"] = 9,
        ["ABORTED"] = 10,
        ["OUT_OF_RANGE"] = 11,
        ["UNIMPLEMENTED"] = 12,
        ["INTERNAL"] = 13,
        ["UNAVAILABLE"] = 14,
        ["DATA_LOSS"] = 15,
        ["UNAUTHENTICATED"] = 16,
    };

    /// <summary>
    /// The code of a status name. Validation admits only these names; anything else (only possible without
    /// validation) reads as 0, which is what Istio's lookup yields too.
    /// </summary>
    public static uint Parse(string name) => Codes.GetValueOrDefault(name);
}
