using System.Net;
using Google.Protobuf.WellKnownTypes;
using Weft.Proxy.Http.Retries;
using Weft.Proxy.Snapshot.Filters;
using Weft.Proxy.Snapshot.Routes;
using Weft.Proxy.Tests.Support;
using Weft.Proxy.Xds;
using Weft.Xds;
using Weft.Xds.Envoy.Config.Route.V3;
using Weft.Xds.Envoy.Extensions.Filters.Common.Fault.V3;
using Weft.Xds.Envoy.Extensions.Filters.Http.Fault.V3;
using Weft.Xds.Envoy.Extensions.Retry.Priority.PreviousPriorities.V3;
using static Weft.Proxy.Tests.Support.ResilienceMesh;

namespace Weft.Proxy.Tests.Snapshot;

/// <summary>
/// What the route compiler makes of retry, mirror, fault and CORS configuration, and what it refuses (naming the
/// route and the field) rather than serve without applying it.
/// </summary>
public sealed class ResilienceConfigTests
{
    [Fact]
    public void Istios_default_retry_policy_compiles_to_its_conditions_and_previous_hosts()
    {
        var policy = new RetryPolicy
        {
            RetryOn = "connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes",
            NumRetries = 2,
            HostSelectionRetryMaxAttempts = 5,
            RetryHostPredicate = { new RetryPolicy.Types.RetryHostPredicate { Name = "envoy.retry_host_predicates.previous_hosts", TypedConfig = Any.Pack(new Weft.Xds.Envoy.Extensions.Retry.Host.PreviousHosts.V3.PreviousHostsPredicate()) } },
        };
        var forward = (ForwardAction)Compile(Route("/", ToCluster("a", policy))).VirtualHosts[0].Routes[0].Behavior;

        var retry = forward.Retry!;
        Assert.Equal(
            RetryConditions.ConnectFailure | RetryConditions.RefusedStream | RetryConditions.GrpcUnavailable | RetryConditions.GrpcCancelled | RetryConditions.RetriableStatusCodes,
            retry.RetryOn);
        Assert.Equal(2u, retry.NumRetries);
        Assert.True(retry.AvoidPreviousHosts);
        Assert.Equal(5u, retry.HostSelectionRetryMaxAttempts);
        Assert.Equal(TimeSpan.FromMilliseconds(25), retry.BaseInterval);
    }

    [Theory]
    [InlineData("retry_priority")]
    [InlineData("host_predicate")]
    [InlineData("per_try_idle_timeout")]
    [InlineData("max_interval")]
    [InlineData("hedge")]
    [InlineData("fault_header_abort")]
    [InlineData("fault_rate_limit")]
    [InlineData("unknown_filter_config")]
    [InlineData("mirror_host_rewrite")]
    public void Configuration_this_proxy_cannot_apply_is_refused_naming_the_route(string what)
    {
        var policy = new RetryPolicy { RetryOn = "5xx" };
        var route = Route("/", ToCluster("a", policy));
        route.Name = "reviews-route";
        switch (what)
        {
            case "retry_priority":
                policy.RetryPriority = new RetryPolicy.Types.RetryPriority { Name = "envoy.retry_priorities.previous_priorities", TypedConfig = Any.Pack(new PreviousPrioritiesConfig { UpdateFrequency = 0 }) };
                break;
            case "host_predicate":
                policy.RetryHostPredicate.Add(new RetryPolicy.Types.RetryHostPredicate { Name = "envoy.retry_host_predicates.omit_canary_hosts" });
                break;
            case "per_try_idle_timeout":
                policy.PerTryIdleTimeout = Duration.FromTimeSpan(TimeSpan.FromSeconds(1));
                break;
            case "max_interval":
                policy.RetryBackOff = new RetryPolicy.Types.RetryBackOff { BaseInterval = Duration.FromTimeSpan(TimeSpan.FromSeconds(1)), MaxInterval = Duration.FromTimeSpan(TimeSpan.FromMilliseconds(10)) };
                break;
            case "hedge":
                route.Route_.HedgePolicy = new HedgePolicy { InitialRequests = 2 };
                break;
            case "fault_header_abort":
                route.TypedPerFilterConfig[FaultName] = Any.Pack(new HTTPFault { Abort = new FaultAbort { HeaderAbort = new FaultAbort.Types.HeaderAbort() } });
                break;
            case "fault_rate_limit":
                route.TypedPerFilterConfig[FaultName] = Any.Pack(new HTTPFault { ResponseRateLimit = new FaultRateLimit { FixedLimit = new FaultRateLimit.Types.FixedLimit { LimitKbps = 1 } } });
                break;
            case "unknown_filter_config":
                route.TypedPerFilterConfig["envoy.filters.http.rbac"] = Any.Pack(new RetryPolicy());
                break;
            case "mirror_host_rewrite":
                route.Route_.RequestMirrorPolicies.Add(new RouteAction.Types.RequestMirrorPolicy { Cluster = "b", HostRewriteLiteral = "b.internal" });
                break;
        }

        var error = Assert.Throws<XdsRejectedException>(() => Compile(route));
        Assert.Contains("route reviews-route", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_optional_filter_config_of_an_unknown_type_is_skipped_and_a_disabled_one_disables()
    {
        var route = Route("/", ToCluster("a"));
        route.TypedPerFilterConfig["envoy.filters.http.unknown"] = Any.Pack(new FilterConfig { IsOptional = true, Config = Any.Pack(new RetryPolicy()) });
        route.TypedPerFilterConfig[FaultName] = Any.Pack(new FilterConfig { Disabled = true });

        var filters = Compile(route).VirtualHosts[0].Routes[0].Filters;
        Assert.Null(filters.Config("envoy.filters.http.unknown"));
        Assert.True(filters.Disabled(FaultName));
    }

    [Fact]
    public void Mirror_policies_come_from_the_most_specific_level_that_has_any()
    {
        var config = new RouteConfiguration { Name = "8080", RequestMirrorPolicies = { new RouteAction.Types.RequestMirrorPolicy { Cluster = "config-level" } } };
        var vhost = VirtualHost(false, Route("/", ToCluster("a")));
        vhost.RequestMirrorPolicies.Add(new RouteAction.Types.RequestMirrorPolicy { Cluster = "vhost-level" });
        config.VirtualHosts.Add(vhost);
        var table = RouteCompiler.Compile(config);

        Assert.Equal("config-level", Assert.Single(table.Mirrors).Cluster);
        Assert.Equal("vhost-level", Assert.Single(table.VirtualHosts[0].Mirrors).Cluster);
        Assert.True(Assert.Single(table.VirtualHosts[0].Mirrors).Share.IsAlways); // no runtime_fraction: every request
    }

    [Fact]
    public void The_fault_and_cors_filters_of_a_connection_manager_are_kept_in_order_with_their_defaults()
    {
        var resources = Resources(VirtualHost(false, Route("/", ToCluster("a"))), [CorsFilter(), FaultFilter(new HTTPFault { Abort = new FaultAbort { HttpStatus = 503, Percentage = new Weft.Xds.Envoy.Type.V3.FractionalPercent { Numerator = 10 } } })], clusters: ("a", [(1, 1)]));
        var snapshot = Snapshots.Build(resources);
        var manager = ((Weft.Proxy.Snapshot.Listeners.HttpChain)snapshot.Listeners[0].Chains[0].Action).Manager;

        Assert.Collection(
            manager.HttpFilters,
            f => Assert.IsType<CorsFilterModel>(f),
            f => Assert.Equal(503, Assert.IsType<FaultFilterModel>(f).Defaults.AbortStatus));
        Assert.Equal(1024u * 1024, manager.BufferLimit); // Envoy's default per-connection buffer limit
    }

    [Theory]
    [InlineData(25, 1000, new[] { 25, 50, 100, 200, 400, 800, 1000, 1000 })]
    [InlineData(25, 250, new[] { 25, 50, 100, 200, 250, 250 })]
    public void Back_off_intervals_double_up_to_the_maximum_and_draws_fall_below_them(int baseMs, int maxMs, int[] intervals)
    {
        // A draw one below the interval gives the interval's largest wait.
        var index = 0;
        var backOff = new BackOff(TimeSpan.FromMilliseconds(baseMs), TimeSpan.FromMilliseconds(maxMs), () => (ulong)intervals[index] - 1);
        for (; index < intervals.Length; index++)
        {
            Assert.Equal(TimeSpan.FromMilliseconds(intervals[index] - 1), backOff.Next());
        }
    }

    [Fact]
    public void Retries_stop_at_the_limit_with_URX_and_only_for_the_listed_conditions()
    {
        var headers = new Microsoft.AspNetCore.Http.HeaderDictionary();
        var state = RetryState.Create(RetryPolicyModel.Compile(new RetryPolicy { RetryOn = "gateway-error", NumRetries = 1 }), headers, () => 0);

        Assert.Equal(RetryDecision.No, state.ForResponse(new HttpResponseMessage(HttpStatusCode.InternalServerError)));
        Assert.Equal(RetryDecision.Retry, state.ForResponse(new HttpResponseMessage(HttpStatusCode.BadGateway)));
        Assert.Equal(RetryDecision.LimitExceeded, state.ForFailure(AttemptFailure.Reset, requestStarted: true));
    }

    [Fact]
    public void Retriable_headers_retry_responses_carrying_them_and_the_request_can_name_more()
    {
        var policy = RetryPolicyModel.Compile(new RetryPolicy
        {
            RetryOn = "retriable-headers",
            NumRetries = 5,
            RetriableHeaders = { new HeaderMatcher { Name = "x-upstream-state", ExactMatch = "draining" } },
        });
        var headers = new Microsoft.AspNetCore.Http.HeaderDictionary { ["x-envoy-retriable-header-names"] = "x-retry-me" };
        var state = RetryState.Create(policy, headers, () => 0);

        Assert.Equal(RetryDecision.Retry, state.ForResponse(With("x-upstream-state", "draining")));
        Assert.Equal(RetryDecision.No, state.ForResponse(With("x-upstream-state", "ready")));
        Assert.Equal(RetryDecision.Retry, state.ForResponse(With("x-retry-me", "anything")));
        Assert.Empty(headers); // consumed, never sent upstream

        static HttpResponseMessage With(string name, string value)
        {
            var response = new HttpResponseMessage(HttpStatusCode.OK);
            response.Headers.Add(name, value);
            return response;
        }
    }

    [Theory]
    [InlineData("reset-before-request", "Reset", false, true)]
    [InlineData("reset-before-request", "Reset", true, false)]
    [InlineData("connect-failure", "ConnectFailure", false, true)]
    [InlineData("connect-failure", "Reset", true, false)]
    [InlineData("refused-stream", "RefusedStream", true, true)]
    [InlineData("refused-stream", "Reset", true, false)]
    [InlineData("reset", "PerTryTimeout", true, true)]
    [InlineData("5xx", "PerTryTimeout", true, true)]
    [InlineData("gateway-error", "ConnectFailure", false, true)]
    [InlineData("retriable-status-codes", "PerTryTimeout", true, false)]
    public void Failures_without_a_response_are_retried_as_Envoy_decides(string retryOn, string kind, bool started, bool retried)
    {
        var failure = System.Enum.Parse<AttemptFailure>(kind);
        var state = RetryState.Create(RetryPolicyModel.Compile(new RetryPolicy { RetryOn = retryOn, NumRetries = 1 }), new Microsoft.AspNetCore.Http.HeaderDictionary(), () => 0);
        Assert.Equal(retried ? RetryDecision.Retry : RetryDecision.No, state.ForFailure(failure, started));
    }

    private static RouteTable Compile(Route route)
    {
        var config = new RouteConfiguration { Name = "8080" };
        config.VirtualHosts.Add(VirtualHost(false, route));
        return RouteCompiler.Compile(config);
    }
}
