using Weft.Api.Model.Networking;
using Weft.Xds.Envoy.Extensions.Filters.Common.Fault.V3;
using Weft.Xds.Envoy.Extensions.Filters.Http.Fault.V3;

namespace Weft.Control.Generators.Routes;

/// <summary>
/// A VirtualService <c>fault</c> as the fault filter's per-route config. Only fixed delays and HTTP or gRPC aborts
/// exist in Envoy's filter; other kinds are left out. A fault without a percentage injects nothing: a delay gets an
/// explicit 0% (from the deprecated integer field's zero) and an abort gets no percentage, which Envoy reads as 0%.
/// </summary>
internal static class Faults
{
    /// <summary>The filter config; empty (no fault) when neither part can be expressed, as Istio sends it.</summary>
    public static HTTPFault Translate(HTTPFaultInjection fault)
    {
        var result = new HTTPFault();
        if (fault.Delay is { } delay && RouteDurations.Parse(delay.FixedDelay) is { } fixedDelay)
        {
            result.Delay = new FaultDelay
            {
                FixedDelay = fixedDelay,
                Percentage = delay.Percentage is { } p ? Percentages.Of(p) : Percentages.OfInteger(delay.Percent ?? 0),
            };
        }

        if (fault.Abort is { } abort && Abort(abort) is { } translated)
        {
            if (abort.Percentage is { } p)
            {
                translated.Percentage = Percentages.Of(p);
            }

            result.Abort = translated;
        }

        return result;
    }

    private static FaultAbort? Abort(HTTPFaultInjectionAbort abort)
    {
        if (abort.HttpStatus is { } http)
        {
            return new FaultAbort { HttpStatus = (uint)http };
        }

        if (abort.GrpcStatus is { } grpc)
        {
            return new FaultAbort { GrpcStatus = GrpcStatusCodes.Parse(grpc) };
        }

        return null; // http2Error: Envoy's filter has no such abort.
    }
}
