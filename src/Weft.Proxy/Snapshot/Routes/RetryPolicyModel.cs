using Weft.Proxy.Snapshot.Matching;
using Weft.Proxy.Xds;
using Weft.Xds;
using Weft.Xds.Envoy.Config.Route.V3;
using Weft.Xds.Envoy.Extensions.Retry.Priority.PreviousPriorities.V3;

namespace Weft.Proxy.Snapshot.Routes;

/// <summary>
/// A compiled <c>retry_policy</c> (route or virtual host): when to retry, how often, how long each try may take, how
/// long to back off between tries, which response or request headers allow a retry, whether to avoid hosts already
/// tried and the priority levels already tried. Refused when it asks for what this proxy cannot do (retry priorities
/// other than previous priorities, rate-limited back-off, options predicates, per-try idle timeouts, host predicates
/// other than previous hosts).
/// </summary>
internal sealed record RetryPolicyModel
{
    /// <summary>Envoy's base back-off when the policy sets none.</summary>
    public static readonly TimeSpan DefaultBaseInterval = TimeSpan.FromMilliseconds(25);

    private const string PreviousPrioritiesName = "envoy.retry_priorities.previous_priorities";

    /// <summary>
    /// What applies when neither the route nor its virtual host has a policy: no conditions (only the request's
    /// <c>x-envoy-retry-on</c> can turn retries on) and one retry, as Envoy's default policy.
    /// </summary>
    public static readonly RetryPolicyModel None = new();

    public RetryConditions RetryOn { get; init; }

    public uint NumRetries { get; init; } = 1;

    /// <summary>How long one try may take; zero for no limit.</summary>
    public TimeSpan PerTryTimeout { get; init; }

    public IReadOnlyList<uint> RetriableStatusCodes { get; init; } = [];

    public IReadOnlyList<HeaderMatch> RetriableHeaders { get; init; } = [];

    /// <summary>When not empty, only requests matching one of these are retried.</summary>
    public IReadOnlyList<HeaderMatch> RetriableRequestHeaders { get; init; } = [];

    public TimeSpan BaseInterval { get; init; } = DefaultBaseInterval;

    /// <summary>The longest back-off; null for ten times the base interval.</summary>
    public TimeSpan? MaxInterval { get; init; }

    /// <summary>The <c>previous_hosts</c> predicate: a retry avoids the hosts already tried.</summary>
    public bool AvoidPreviousHosts { get; init; }

    /// <summary>
    /// The <c>previous_priorities</c> retry priority (Istio's <c>retryRemoteLocalities</c>): after every this many
    /// attempts, retries share their load only among the priority levels no attempt has used yet; null when the policy
    /// has none.
    /// </summary>
    public uint? PreviousPrioritiesUpdateFrequency { get; init; }

    /// <summary>How many more picks a retry makes to find a host the predicate accepts (Envoy's default is 1).</summary>
    public uint HostSelectionRetryMaxAttempts { get; init; } = 1;

    public static RetryPolicyModel Compile(RetryPolicy policy)
    {
        uint? previousPriorities = null;
        if (policy.RetryPriority is { } priority && (priority.Name.Length > 0 || priority.TypedConfig is not null))
        {
            previousPriorities = PreviousPriorities(priority);
        }

        if (policy.RateLimitedRetryBackOff is not null)
        {
            throw new XdsRejectedException("rate_limited_retry_back_off is not supported yet");
        }

        if (policy.RetryOptionsPredicates.Count > 0)
        {
            throw new XdsRejectedException("retry_options_predicates are not supported");
        }

        if (policy.PerTryIdleTimeout is { } idle && idle.ToTimeSpan() > TimeSpan.Zero)
        {
            throw new XdsRejectedException("per_try_idle_timeout is not supported yet");
        }

        var avoidPrevious = false;
        foreach (var predicate in policy.RetryHostPredicate)
        {
            if (predicate.Name != "envoy.retry_host_predicates.previous_hosts"
                && predicate.TypedConfig?.TypeUrl != TypeUrls.PreviousHostsPredicate)
            {
                throw new XdsRejectedException($"the retry host predicate {predicate.Name} is not supported (only envoy.retry_host_predicates.previous_hosts)");
            }

            avoidPrevious = true;
        }

        var baseInterval = DefaultBaseInterval;
        TimeSpan? maxInterval = null;
        if (policy.RetryBackOff is { } backOff)
        {
            if (backOff.BaseInterval is null)
            {
                throw new XdsRejectedException("retry_back_off has no base_interval");
            }

            baseInterval = AtLeastOneMillisecond(backOff.BaseInterval.ToTimeSpan());
            if (backOff.MaxInterval is { } max)
            {
                maxInterval = AtLeastOneMillisecond(max.ToTimeSpan());
                if (maxInterval < baseInterval)
                {
                    throw new XdsRejectedException("retry_back_off.max_interval is shorter than its base_interval");
                }
            }
        }

        return new RetryPolicyModel
        {
            RetryOn = RetryConditionNames.Parse(policy.RetryOn),
            NumRetries = policy.NumRetries ?? 1,
            PerTryTimeout = policy.PerTryTimeout?.ToTimeSpan() ?? TimeSpan.Zero,
            RetriableStatusCodes = policy.RetriableStatusCodes.ToArray(),
            RetriableHeaders = policy.RetriableHeaders.Select(HeaderMatch.Compile).ToArray(),
            RetriableRequestHeaders = policy.RetriableRequestHeaders.Select(HeaderMatch.Compile).ToArray(),
            BaseInterval = baseInterval,
            MaxInterval = maxInterval,
            AvoidPreviousHosts = avoidPrevious,
            PreviousPrioritiesUpdateFrequency = previousPriorities,
            HostSelectionRetryMaxAttempts = policy.HostSelectionRetryMaxAttempts > 0 ? (uint)Math.Min(policy.HostSelectionRetryMaxAttempts, uint.MaxValue) : 1,
        };
    }

    /// <summary>The <c>previous_priorities</c> retry priority's update frequency; any other retry priority is refused.</summary>
    private static uint PreviousPriorities(RetryPolicy.Types.RetryPriority priority)
    {
        var typed = priority.TypedConfig;
        if (priority.Name != PreviousPrioritiesName && typed?.TypeUrl != TypeUrls.PreviousPrioritiesConfig)
        {
            throw new XdsRejectedException($"the retry priority {priority.Name} is not supported (only {PreviousPrioritiesName})");
        }

        if (typed is null || typed.TypeUrl != TypeUrls.PreviousPrioritiesConfig)
        {
            throw new XdsRejectedException($"retry_priority {PreviousPrioritiesName} needs a typed_config of type {TypeUrls.PreviousPrioritiesConfig}");
        }

        var config = typed.Unpack<PreviousPrioritiesConfig>();
        if (config.UpdateFrequency <= 0)
        {
            throw new XdsRejectedException($"retry_priority {PreviousPrioritiesName}: update_frequency must be greater than 0, not {config.UpdateFrequency}");
        }

        return (uint)config.UpdateFrequency;
    }

    private static TimeSpan AtLeastOneMillisecond(TimeSpan value) => value < TimeSpan.FromMilliseconds(1) ? TimeSpan.FromMilliseconds(1) : value;
}
