using System.Net;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Weft.Proxy.Tests.Support;
using Weft.Xds.Envoy.Type.Matcher.V3;
using static Weft.Proxy.Tests.Support.ResilienceMesh;
using EnvoyCorsPolicy = Weft.Xds.Envoy.Extensions.Filters.Http.Cors.V3.CorsPolicy;

namespace Weft.Proxy.Tests.Http.Resilience;

/// <summary>
/// The CORS filter with a policy as Istio writes a VirtualService's <c>corsPolicy</c>, through a real proxy: preflights
/// answered by the proxy, simple requests forwarded and given the Access-Control headers when the origin is allowed.
/// </summary>
public sealed class CorsTests
{
    private const string Shop = "https://shop.example.com";

    [Fact]
    public async Task A_preflight_from_an_allowed_origin_is_answered_by_the_proxy()
    {
        await using var backend = await Backend.StartAsync("a");
        await using var plane = await ScriptedControlPlane.StartAsync(Mesh(backend, Policy()));
        await using var proxy = await RunningProxy.StartAsync(plane.Address);

        using var response = await proxy.Client.SendAsync(Preflight("https://app.shop.example.com"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("https://app.shop.example.com", Header(response, "access-control-allow-origin"));
        Assert.Equal("GET,POST", Header(response, "access-control-allow-methods"));
        Assert.Equal("content-type,x-token", Header(response, "access-control-allow-headers"));
        Assert.Equal("86400", Header(response, "access-control-max-age"));
        Assert.Equal("true", Header(response, "access-control-allow-credentials"));
        Assert.Empty(backend.Requests);
    }

    [Fact]
    public async Task A_simple_request_from_an_allowed_origin_gets_the_origin_and_exposed_headers()
    {
        await using var backend = await Backend.StartAsync("a");
        await using var plane = await ScriptedControlPlane.StartAsync(Mesh(backend, Policy()));
        await using var proxy = await RunningProxy.StartAsync(plane.Address);

        using var response = await proxy.GetAsync(Authority, "/", ("origin", Shop));
        Assert.Equal("a", await response.Content.ReadAsStringAsync());
        Assert.Equal(Shop, Header(response, "access-control-allow-origin"));
        Assert.Equal("x-total", Header(response, "access-control-expose-headers"));
        Assert.Equal("true", Header(response, "access-control-allow-credentials"));
        Assert.Null(Header(response, "access-control-allow-methods")); // preflight-only
    }

    [Fact]
    public async Task An_origin_that_is_not_allowed_gets_no_access_control_headers()
    {
        await using var backend = await Backend.StartAsync("a");
        await using var plane = await ScriptedControlPlane.StartAsync(Mesh(backend, Policy()));
        await using var proxy = await RunningProxy.StartAsync(plane.Address);

        using var simple = await proxy.GetAsync(Authority, "/", ("origin", "https://evil.example.org"));
        Assert.Equal("a", await simple.Content.ReadAsStringAsync());
        Assert.Null(Header(simple, "access-control-allow-origin"));

        // Its preflight goes on to the application, as Istio asks unless unmatchedPreflights is IGNORE.
        using var preflight = await proxy.Client.SendAsync(Preflight("https://evil.example.org"));
        Assert.Equal("a", await preflight.Content.ReadAsStringAsync());
        Assert.Null(Header(preflight, "access-control-allow-origin"));
        Assert.Equal(2, backend.Requests.Count);
    }

    [Fact]
    public async Task Unmatched_preflights_are_answered_without_allowing_the_origin_when_not_forwarded()
    {
        await using var backend = await Backend.StartAsync("a");
        var policy = Policy();
        policy.ForwardNotMatchingPreflights = false;
        await using var plane = await ScriptedControlPlane.StartAsync(Mesh(backend, policy));
        await using var proxy = await RunningProxy.StartAsync(plane.Address);

        using var response = await proxy.Client.SendAsync(Preflight("https://evil.example.org"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Null(Header(response, "access-control-allow-origin"));
        Assert.Empty(backend.Requests);
    }

    [Fact]
    public async Task A_policy_enabled_for_no_request_changes_nothing()
    {
        await using var backend = await Backend.StartAsync("a");
        var policy = Policy();
        policy.FilterEnabled.DefaultValue.Numerator = 0;
        policy.ShadowEnabled = new Weft.Xds.Envoy.Config.Core.V3.RuntimeFractionalPercent { DefaultValue = new Weft.Xds.Envoy.Type.V3.FractionalPercent { Numerator = 100 } };
        await using var plane = await ScriptedControlPlane.StartAsync(Mesh(backend, policy));
        await using var proxy = await RunningProxy.StartAsync(plane.Address);

        using var preflight = await proxy.Client.SendAsync(Preflight(Shop));
        Assert.Equal("a", await preflight.Content.ReadAsStringAsync()); // forwarded, not answered
        Assert.Null(Header(preflight, "access-control-allow-origin"));
        Assert.Single(backend.Requests);
    }

    /// <summary>Istio's translation of allowOrigins (exact and regex), methods, headers, expose headers, maxAge 24h, credentials.</summary>
    private static EnvoyCorsPolicy Policy()
    {
        var policy = new EnvoyCorsPolicy
        {
            AllowMethods = "GET,POST",
            AllowHeaders = "content-type,x-token",
            ExposeHeaders = "x-total",
            MaxAge = "86400",
            AllowCredentials = true,
            ForwardNotMatchingPreflights = true,
            FilterEnabled = new Weft.Xds.Envoy.Config.Core.V3.RuntimeFractionalPercent { DefaultValue = new Weft.Xds.Envoy.Type.V3.FractionalPercent { Numerator = 100 } },
        };
        policy.AllowOriginStringMatch.Add(new StringMatcher { Exact = Shop });
        policy.AllowOriginStringMatch.Add(new StringMatcher { SafeRegex = new RegexMatcher { Regex = @"https://[a-z]+\.shop\.example\.com" } });
        return policy;
    }

    private static List<IMessage> Mesh(Backend backend, EnvoyCorsPolicy policy)
    {
        var route = Route("/", ToCluster("a"));
        route.TypedPerFilterConfig[CorsName] = Any.Pack(policy);
        return Resources(VirtualHost(false, route), clusters: ("a", [(backend.Port, 1)]));
    }

    private static HttpRequestMessage Preflight(string origin)
    {
        var request = new HttpRequestMessage(HttpMethod.Options, "/api/items");
        request.Headers.Host = Authority;
        request.Headers.TryAddWithoutValidation("origin", origin);
        request.Headers.TryAddWithoutValidation("access-control-request-method", "POST");
        request.Headers.TryAddWithoutValidation("access-control-request-headers", "x-token");
        return request;
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) || response.Content.Headers.TryGetValues(name, out values) ? string.Join(",", values) : null;
}
