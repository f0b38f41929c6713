using System.Globalization;
using Google.Protobuf.WellKnownTypes;
using Weft.Api.Model.Networking;
using Weft.Xds.Envoy.Config.Route.V3;
using Weft.Xds.Envoy.Extensions.Retry.Host.PreviousHosts.V3;
using Weft.Xds.Envoy.Extensions.Retry.Priority.PreviousPriorities.V3;

namespace Weft.Control.Generators.Routes;

/// <summary>Istio's retry policies: the default when a route names none, and the translation of <c>retries</c>.</summary>
internal static class RetryPolicies
{
    /// <summary>What Istio (1.24 and later) retries when a route says nothing: connection-level failures only, no 503.</summary>
    public const string DefaultRetryOn = "connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes";

    public const string RetriableStatusCodes = "retriable-status-codes";
    public const string PreviousHostsPredicate = "envoy.retry_host_predicates.previous_hosts";
    public const string PreviousPriorities = "envoy.retry_priorities.previous_priorities";

    private const int DefaultAttempts = 2;
    private const int HostSelectionAttempts = 5;

    /// <summary>
    /// The default policy: 2 retries, each on a host not tried before unless the destination hashes requests to a
    /// host (consistent hashing), where another host would defeat the point.
    /// </summary>
    public static RetryPolicy Default(bool consistentHash = false)
    {
        var policy = new RetryPolicy
        {
            RetryOn = DefaultRetryOn,
            NumRetries = DefaultAttempts,
            HostSelectionRetryMaxAttempts = HostSelectionAttempts,
        };
        if (!consistentHash)
        {
            policy.RetryHostPredicate.Add(PreviousHosts());
        }

        return policy;
    }

    /// <summary>
    /// A route's policy: the default when <c>retries</c> is absent, none when it allows no attempts, else the
    /// default overridden field by field.
    /// </summary>
    public static RetryPolicy? For(HTTPRetry? retries, bool consistentHash)
    {
        if (retries is null)
        {
            return Default(consistentHash);
        }

        if ((retries.Attempts ?? 0) <= 0)
        {
            return null;
        }

        var policy = Default(consistentHash);
        policy.NumRetries = (uint)retries.Attempts!.Value;
        if (!string.IsNullOrEmpty(retries.RetryOn))
        {
            var (conditions, codes) = ParseRetryOn(retries.RetryOn);
            policy.RetryOn = conditions;
            policy.RetriableStatusCodes.AddRange(codes);
            if (codes.Count > 0 && !conditions.Contains(RetriableStatusCodes, StringComparison.Ordinal))
            {
                policy.RetryOn += "," + RetriableStatusCodes;
            }
        }

        if (RouteDurations.Parse(retries.PerTryTimeout) is { } perTry)
        {
            policy.PerTryTimeout = perTry;
        }

        if (retries.RetryIgnorePreviousHosts is { } ignorePrevious)
        {
            policy.RetryHostPredicate.Clear();
            if (ignorePrevious)
            {
                policy.RetryHostPredicate.Add(PreviousHosts());
            }
        }

        if (retries.RetryRemoteLocalities == true)
        {
            policy.RetryPriority = new RetryPolicy.Types.RetryPriority
            {
                Name = PreviousPriorities,
                TypedConfig = Any.Pack(new PreviousPrioritiesConfig { UpdateFrequency = 2 }),
            };
        }

        if (RouteDurations.Parse(retries.Backoff) is { } backoff)
        {
            policy.RetryBackOff = new RetryPolicy.Types.RetryBackOff { BaseInterval = backoff };
        }

        return policy;
    }

    /// <summary>
    /// Splits <c>retryOn</c> into Envoy's conditions and the HTTP status codes among them. Items are trimmed and
    /// joined with bare commas: gRPC clients read the list literally, so <c>"5xx, reset"</c> would name a condition
    /// <c>" reset"</c> that never matches. Only numbers that are known HTTP statuses count as codes.
    /// </summary>
    public static (string Conditions, IReadOnlyList<uint> Codes) ParseRetryOn(string retryOn)
    {
        var conditions = new List<string>();
        var codes = new List<uint>();
        foreach (var raw in retryOn.Split(','))
        {
            var part = raw.Trim();
            if (part.Length == 0)
            {
                continue;
            }

            if (int.TryParse(part, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var code) && HttpStatuses.IsKnown(code))
            {
                codes.Add((uint)code);
            }
            else
            {
                conditions.Add(part);
            }
        }

        return (string.Join(',', conditions), codes);
    }

    private static RetryPolicy.Types.RetryHostPredicate PreviousHosts() => new()
    {
        Name = PreviousHostsPredicate,
        TypedConfig = Any.Pack(new PreviousHostsPredicate()),
    };
}
