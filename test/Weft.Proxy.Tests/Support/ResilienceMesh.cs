using System.Collections.Concurrent;
using System.Net;
using System.Threading.Channels;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Time.Testing;
using Weft.Proxy.Http;
using Weft.Xds.Envoy.Config.Cluster.V3;
using Weft.Xds.Envoy.Config.Core.V3;
using Weft.Xds.Envoy.Config.Endpoint.V3;
using Weft.Xds.Envoy.Config.Listener.V3;
using Weft.Xds.Envoy.Config.Route.V3;
using Weft.Xds.Envoy.Extensions.Filters.Http.Fault.V3;
using Weft.Xds.Envoy.Extensions.Filters.Network.HttpConnectionManager.V3;
using Cors = Weft.Xds.Envoy.Extensions.Filters.Http.Cors.V3.Cors;

namespace Weft.Proxy.Tests.Support;

/// <summary>
/// Istio-shaped resources for the resilience tests: port 8080's listener with a chosen HTTP filter chain (fault, CORS,
/// router, as Istio orders them), one virtual host for <see cref="Service"/>, and EDS clusters with weighted endpoints.
/// </summary>
internal static class ResilienceMesh
{
    public const string Service = "svc.default.svc.cluster.local";
    public const string Authority = Service + ":8080";
    public const string FaultName = "envoy.filters.http.fault";
    public const string CorsName = "envoy.filters.http.cors";

    public static HttpFilter FaultFilter(HTTPFault? defaults = null) => new() { Name = FaultName, TypedConfig = Any.Pack(defaults ?? new HTTPFault()) };

    public static HttpFilter CorsFilter() => new() { Name = CorsName, TypedConfig = Any.Pack(new Cors()) };

    public static HttpFilter Router() => new() { Name = "envoy.filters.http.router", TypedConfig = Any.Pack(new Weft.Xds.Envoy.Extensions.Filters.Http.Router.V3.Router()) };

    /// <summary>The listener, route configuration and clusters; <paramref name="filters"/> go before the router.</summary>
    public static List<IMessage> Resources(VirtualHost vhost, IEnumerable<HttpFilter>? filters = null, bool useRemoteAddress = false, params (string Name, (int Port, uint Weight)[] Endpoints)[] clusters)
    {
        var hcm = new HttpConnectionManager
        {
            StatPrefix = "outbound_0.0.0.0_8080",
            Rds = new Rds { RouteConfigName = "8080", ConfigSource = new ConfigSource { Ads = new AggregatedConfigSource() } },
            UseRemoteAddress = useRemoteAddress,
        };
        hcm.HttpFilters.AddRange(filters ?? [FaultFilter(), CorsFilter()]);
        hcm.HttpFilters.Add(XdsResources.IstioStatsHttp());
        hcm.HttpFilters.Add(Router());
        var listener = XdsResources.HttpListener(8080);
        listener.FilterChains[0].Filters[0] = XdsResources.ConnectionManagerFilter(hcm);

        var config = new RouteConfiguration { Name = "8080", IgnorePortInHostMatching = true, ValidateClusters = false };
        config.VirtualHosts.Add(vhost);
        var resources = new List<IMessage> { listener, config };
        foreach (var (name, endpoints) in clusters)
        {
            resources.Add(XdsResources.EdsCluster(name));
            resources.Add(Assignment(name, endpoints));
        }

        return resources;
    }

    /// <summary>Istio's virtual host for the service, with attempt counts on requests (and, if asked, on responses).</summary>
    public static VirtualHost VirtualHost(bool attemptCountInResponse = false, params Route[] routes)
    {
        var vhost = new VirtualHost { Name = Authority, Domains = { Service }, IncludeRequestAttemptCount = true, IncludeAttemptCountInResponse = attemptCountInResponse };
        vhost.Routes.AddRange(routes);
        return vhost;
    }

    public static Route Route(string prefix, RouteAction action) => new() { Name = prefix.Trim('/') is { Length: > 0 } n ? n : "default", Match = new RouteMatch { Prefix = prefix }, Route_ = action };

    public static RouteAction ToCluster(string cluster, Weft.Xds.Envoy.Config.Route.V3.RetryPolicy? retry = null)
    {
        var action = new RouteAction { Cluster = cluster, Timeout = new Duration() };
        if (retry is not null)
        {
            action.RetryPolicy = retry;
        }

        return action;
    }

    public static ClusterLoadAssignment Assignment(string cluster, params (int Port, uint Weight)[] endpoints)
    {
        var locality = new LocalityLbEndpoints { Locality = new Locality(), LoadBalancingWeight = 1 };
        foreach (var (port, weight) in endpoints)
        {
            locality.LbEndpoints.Add(new LbEndpoint
            {
                Endpoint = new Endpoint { Address = XdsResources.Address("127.0.0.1", port) },
                HealthStatus = HealthStatus.Healthy,
                LoadBalancingWeight = weight,
            });
        }

        return new ClusterLoadAssignment { ClusterName = cluster, Endpoints = { locality } };
    }
}

/// <summary>What the proxy decided for each request, in the order requests finished (the flags an access log would show).</summary>
internal sealed class RequestLog
{
    private readonly Channel<ProxyRequestInfo> _finished = Channel.CreateUnbounded<ProxyRequestInfo>();

    public void Add(ProxyRequestInfo info) => _finished.Writer.TryWrite(info);

    public async Task<ProxyRequestInfo> NextAsync() => await _finished.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(15));
}

/// <summary>A fake clock that tells when a timer of a given length is armed, so a test advances time only once the proxy waits.</summary>
internal sealed class WatchedClock() : FakeTimeProvider(DateTimeOffset.UtcNow)
{
    private readonly ConcurrentDictionary<TimeSpan, TaskCompletionSource> _armed = new();

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = base.CreateTimer(callback, state, dueTime, period);
        Armed(dueTime).TrySetResult();
        return timer;
    }

    /// <summary>Completes once a timer due after <paramref name="due"/> has been created (from now on or before).</summary>
    public Task ArmedAsync(TimeSpan due) => Armed(due).Task.WaitAsync(TimeSpan.FromSeconds(15));

    /// <summary>Forgets the timers seen so far, to wait for the next one of a length.</summary>
    public void Forget(TimeSpan due) => _armed.TryRemove(due, out _);

    private TaskCompletionSource Armed(TimeSpan due) => _armed.GetOrAdd(due, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
}
