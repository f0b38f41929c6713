using Weft.Control.Tests.Support;
using static Weft.Control.Tests.Support.RouteTestSupport;

namespace Weft.Control.Tests.Generators.Routes;

/// <summary>VirtualService <c>retries</c> as Envoy retry policies, and Istio's default when none is given.</summary>
public sealed class RetryPolicyTests
{
    private static Weft.Xds.Envoy.Config.Route.V3.RetryPolicy? Policy(string retries) => Single(Service("reviews") + $$$"""
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: vs, namespace: default}
        spec:
          hosts: [reviews]
          http:
          - route: [{destination: {host: reviews}}]
            {{{retries}}}
        """).Route_.RetryPolicy;

    [Fact]
    public void Without_retries_a_route_retries_connection_failures_twice_on_other_hosts()
    {
        var policy = Policy(string.Empty)!;
        Assert.Equal(2u, policy.NumRetries);
        Assert.Equal("connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes", policy.RetryOn);
        Assert.Empty(policy.RetriableStatusCodes); // Istio 1.24 stopped retrying 503 by default.
        Assert.Equal("envoy.retry_host_predicates.previous_hosts", Assert.Single(policy.RetryHostPredicate).Name);
        Assert.Equal(5, policy.HostSelectionRetryMaxAttempts);
    }

    [Fact]
    public void Zero_attempts_means_no_retry_policy()
    {
        Assert.Null(Policy("retries: {attempts: 0}"));
    }

    [Fact]
    public void Status_codes_in_retryOn_become_retriable_status_codes()
    {
        var policy = Policy("retries: {attempts: 3, retryOn: 'gateway-error,503,connect-failure,504'}")!;
        Assert.Equal(3u, policy.NumRetries);
        Assert.Equal("gateway-error,connect-failure,retriable-status-codes", policy.RetryOn);
        Assert.Equal([503u, 504u], policy.RetriableStatusCodes);
    }

    [Fact]
    public void RetryOn_is_rejoined_without_spaces_and_only_known_statuses_count_as_codes()
    {
        // Validation refuses both forms, but config that skipped it must still not reach gRPC clients with spaces,
        // which read the list literally.
        var (conditions, codes) = Weft.Control.Generators.Routes.RetryPolicies.ParseRetryOn(" 5xx , 503,, 599,reset ");
        Assert.Equal("5xx,599,reset", conditions);
        Assert.Equal([503u], codes);
    }

    [Fact]
    public void RetryOn_naming_retriable_status_codes_is_not_repeated()
    {
        var policy = Policy("retries: {attempts: 1, retryOn: 'retriable-status-codes,502'}")!;
        Assert.Equal("retriable-status-codes", policy.RetryOn);
        Assert.Equal([502u], policy.RetriableStatusCodes);
    }

    [Fact]
    public void Attempts_without_retryOn_keep_the_default_conditions()
    {
        var policy = Policy("retries: {attempts: 4, perTryTimeout: 250ms}")!;
        Assert.Equal(4u, policy.NumRetries);
        Assert.Equal("connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes", policy.RetryOn);
        Assert.Equal(250_000_000, policy.PerTryTimeout.Nanos);
    }

    [Theory]
    [InlineData("false", 0)]
    [InlineData("true", 1)]
    public void RetryIgnorePreviousHosts_decides_the_previous_hosts_predicate(string value, int predicates)
    {
        Assert.Equal(predicates, Policy($"retries: {{attempts: 2, retryIgnorePreviousHosts: {value}}}")!.RetryHostPredicate.Count);
    }

    [Fact]
    public void RetryRemoteLocalities_retries_in_other_priorities()
    {
        var priority = Policy("retries: {attempts: 2, retryRemoteLocalities: true}")!.RetryPriority;
        Assert.Equal("envoy.retry_priorities.previous_priorities", priority.Name);
        var config = priority.TypedConfig.Unpack<Weft.Xds.Envoy.Extensions.Retry.Priority.PreviousPriorities.V3.PreviousPrioritiesConfig>();
        Assert.Equal(2, config.UpdateFrequency);
    }

    [Fact]
    public void Backoff_sets_the_base_interval()
    {
        Assert.Equal(1, Policy("retries: {attempts: 2, backoff: 1s}")!.RetryBackOff.BaseInterval.Seconds);
    }
}
