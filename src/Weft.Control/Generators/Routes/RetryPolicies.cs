using Weft.Xds.Envoy.Config.Route.V3;

namespace Weft.Control.Generators.Routes;

/// <summary>Istio's retry policies: the default when a route names none, and the translation of <c>retries</c>.</summary>
internal static class RetryPolicies
{
    /// <summary>What Istio (1.24 and later) retries when a route says nothing: 2 retries on connection-level failures.</summary>
    public const string DefaultRetryOn = "connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes";

    public static RetryPolicy Default() => new()
    {
        RetryOn = DefaultRetryOn,
        NumRetries = 2,
        RetryHostPredicate =
        {
            new RetryPolicy.Types.RetryHostPredicate
            {
                Name = "envoy.retry_host_predicates.previous_hosts",
                TypedConfig = Google.Protobuf.WellKnownTypes.Any.Pack(new Weft.Xds.Envoy.Extensions.Retry.Host.PreviousHosts.V3.PreviousHostsPredicate()),
            },
        },
        HostSelectionRetryMaxAttempts = 5,
    };
}
