using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Weft.Control.Config;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Weft.Control.Generators.Authentication;
using Weft.Control.Hosting;
using Weft.Control.Tests.Support;
using Weft.Control.Model;
using Weft.Control.Push;
using Weft.Control.Registry;
using Weft.Xds.Envoy.Config.Listener.V3;
using Weft.Xds.Envoy.Extensions.Filters.Http.JwtAuthn.V3;
using Weft.Xds.Envoy.Extensions.Filters.Network.HttpConnectionManager.V3;
using static Weft.Control.Tests.Support.ListenerTestSupport;

namespace Weft.Control.Tests.Generators.Authentication;

/// <summary>
/// Where RequestAuthentications land and what jwt_authn config they become, as Istio's policy applier writes it: the
/// filter between the CUSTOM and the other RBAC filters on every inbound HTTP chain of the workloads they select and on
/// gateways, one provider per rule ordered by issuer, a missing token allowed, JWKS named by URI fetched and inlined.
/// </summary>
public sealed class RequestAuthenticationFilterTests
{
    private const string Jwks = """{"keys":[{"kty":"RSA","kid":"k1","e":"AQAB","n":"xAE7eB6qugXyCAG3yhh7pkDkT65pHymX-P7KfIupjf59vsdo91bSP9C8H07pSAGQO1MV_xFj9VswgsCg4R6otmg5PV2He95lZdHtOcU5DXIg_pbhLdKXbi66GlVeK6ABZOUW3WYtnNHD-91gVuoeJT_DwtGGcp4ignkgXfkiEm4sw-4sfb4qdt5oLbyVpmW6x9cfa7vs2WTfURiCrBoUqgBo_-4WTiULmmHSGZHOjzwa8WtrtOQGsAFjIbno85jp6MnGGGZPYZbDAa_b3y5u-YpW7ypZrvD8BgtKVjgtQgZhLAGezMt0ua3DRrWnKqTZ0BJ_EyxOGuHJrLsn00fnMQ"}]}""";

    private const string Workload = """
        apiVersion: networking.istio.io/v1
        kind: WorkloadEntry
        metadata: {name: app, namespace: default}
        spec: {address: 10.0.0.1, labels: {app: reviews}, ports: {http: 8080, tcp: 5000}}
        ---
        apiVersion: networking.istio.io/v1
        kind: ServiceEntry
        metadata: {name: reviews, namespace: default}
        spec:
          hosts: [reviews.default.svc.cluster.local]
          location: MESH_INTERNAL
          resolution: STATIC
          ports: [{number: 9080, name: http, protocol: HTTP}, {number: 5000, name: tcp, protocol: TCP}]
          workloadSelector: {labels: {app: reviews}}
        """;

    private static string Policy(string name, string ns, string spec) => "\n" + $"""
        ---
        apiVersion: security.istio.io/v1
        kind: RequestAuthentication
        metadata: {"{"}name: {name}, namespace: {ns}{"}"}
        spec:
        {spec}
        """;

    private static string Rule(string issuer, string extra = "") => $"    - issuer: {issuer}\n      jwks: '{Jwks}'\n{extra}";

    private static Listener VirtualInbound(string yaml)
    {
        var push = NewPush(Workload + yaml);
        return ListenerOf(Sidecar(push: push), push, "virtualInbound");
    }

    private static JwtAuthentication? JwtConfig(HttpConnectionManager hcm) =>
        hcm.HttpFilters.Where(f => f.Name == JwtFilterBuilder.FilterName).Select(f => f.TypedConfig.Unpack<JwtAuthentication>()).SingleOrDefault();

    [Fact]
    public void A_workload_policy_puts_jwt_authn_before_rbac_on_every_http_chain_and_none_on_tcp_chains()
    {
        var listener = VirtualInbound(
            Policy("jwt", "default", "  selector: {matchLabels: {app: reviews}}\n  jwtRules:\n" + Rule("https://issuer.example"))
            + "\n---\napiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: allow, namespace: default}\nspec:\n  rules: [{from: [{source: {requestPrincipals: ['*']}}]}]\n");

        foreach (var name in new[] { "0.0.0.0_8080", "virtualInbound-catchall-http" })
        {
            Assert.Equal(
                ["istio.metadata_exchange", "envoy.filters.http.jwt_authn", "envoy.filters.http.rbac", "envoy.filters.http.fault", "envoy.filters.http.cors", "istio.stats", "envoy.filters.http.router"],
                Hcm(Chain(listener, name))!.HttpFilters.Select(f => f.Name));
        }

        Assert.DoesNotContain(Chain(listener, "0.0.0.0_5000").Filters, f => f.Name.Contains("jwt", StringComparison.Ordinal));
    }

    [Fact]
    public void One_rule_becomes_provider_origins_0_with_the_payload_in_metadata_and_a_missing_token_allowed()
    {
        var listener = VirtualInbound(Policy("jwt", "default", "  jwtRules:\n" + Rule("https://issuer.example", """
                  audiences: [catalog, shop]
                  fromHeaders: [{name: x-jwt, prefix: "Token "}]
                  fromParams: [token]
                  fromCookies: [session]
                  forwardOriginalToken: true
                  outputPayloadToHeader: x-jwt-payload
                  outputClaimToHeaders: [{header: x-sub, claim: sub}]
            """)));
        var config = JwtConfig(Hcm(Chain(listener, "0.0.0.0_8080"))!)!;

        var (name, provider) = Assert.Single(config.Providers);
        Assert.Equal("origins-0", name);
        Assert.Equal("https://issuer.example", provider.Issuer);
        Assert.Equal(["catalog", "shop"], provider.Audiences);
        Assert.Equal("payload", provider.PayloadInMetadata);
        Assert.Equal(["permission", "scope"], provider.NormalizePayloadInMetadata.SpaceDelimitedClaims);
        Assert.True(provider.Forward);
        Assert.Equal("x-jwt-payload", provider.ForwardPayloadHeader);
        Assert.Equal(("x-jwt", "Token "), (provider.FromHeaders[0].Name, provider.FromHeaders[0].ValuePrefix));
        Assert.Equal(["token"], provider.FromParams);
        Assert.Equal(["session"], provider.FromCookies);
        Assert.Equal(("x-sub", "sub"), (provider.ClaimToHeaders[0].HeaderName, provider.ClaimToHeaders[0].ClaimName));
        Assert.Equal(Jwks, provider.LocalJwks.InlineString);
        Assert.False(provider.ClearRouteCache);
        Assert.True(config.BypassCorsPreflight);

        var rule = Assert.Single(config.Rules);
        Assert.Equal("/", rule.Match.Prefix);
        var any = rule.Requires.RequiresAny.Requirements;
        Assert.Equal("origins-0", any[0].ProviderName);
        Assert.NotNull(any[1].AllowMissing);
    }

    [Fact]
    public void Rules_of_all_applying_policies_are_ordered_by_issuer_and_any_provider_or_each_provider_or_missing_is_required()
    {
        var listener = VirtualInbound(
            Policy("mesh", "istio-system", "  jwtRules:\n" + Rule("https://z.example"))
            + Policy("ns", "default", "  jwtRules:\n" + Rule("https://a.example"))
            + Policy("other-workload", "default", "  selector: {matchLabels: {app: ratings}}\n  jwtRules:\n" + Rule("https://other.example")));
        var config = JwtConfig(Hcm(Chain(listener, "0.0.0.0_8080"))!)!;

        Assert.Equal(["https://a.example", "https://z.example"], new[] { "origins-0", "origins-1" }.Select(n => config.Providers[n].Issuer));
        var top = config.Rules[0].Requires.RequiresAny.Requirements;
        Assert.Equal(["origins-0", "origins-1"], top.Take(2).Select(r => r.ProviderName));
        var each = top[2].RequiresAll.Requirements;
        Assert.Equal(2, each.Count);
        Assert.All(each.Select((r, i) => (r, i)), x =>
        {
            Assert.Equal($"origins-{x.i}", x.r.RequiresAny.Requirements[0].ProviderName);
            Assert.NotNull(x.r.RequiresAny.Requirements[1].AllowMissing);
        });
    }

    [Fact]
    public void A_policy_selecting_other_workloads_or_in_another_namespace_adds_nothing()
    {
        var listener = VirtualInbound(
            Policy("other", "default", "  selector: {matchLabels: {app: ratings}}\n  jwtRules:\n" + Rule("https://issuer.example"))
            + Policy("elsewhere", "prod", "  jwtRules:\n" + Rule("https://issuer.example")));
        Assert.Null(JwtConfig(Hcm(Chain(listener, "0.0.0.0_8080"))!));
    }

    [Fact]
    public void Gateways_get_the_filter_too_and_clear_the_route_cache_after_it()
    {
        var yaml = """
            apiVersion: networking.istio.io/v1
            kind: Gateway
            metadata: {name: gw, namespace: istio-system}
            spec:
              selector: {istio: ingressgateway}
              servers: [{port: {number: 80, name: http, protocol: HTTP}, hosts: ["*"]}]
            """ + Policy("jwt", "istio-system", "  selector: {matchLabels: {istio: ingressgateway}}\n  jwtRules:\n" + Rule("https://issuer.example"));
        var push = NewPush(yaml);
        var listener = Assert.Single(ListenersOf(Router(), push));
        var hcm = Hcm(Assert.Single(listener.FilterChains))!;

        Assert.Equal(["istio.metadata_exchange", "envoy.filters.http.jwt_authn", "istio.alpn", "envoy.filters.http.fault", "envoy.filters.http.cors", "istio.stats", "envoy.filters.http.router"], hcm.HttpFilters.Select(f => f.Name));
        Assert.True(JwtConfig(hcm)!.Providers["origins-0"].ClearRouteCache);
    }

    [Fact]
    public async Task A_jwks_uri_is_fetched_by_the_control_plane_and_inlined_and_an_unreachable_one_becomes_a_key_set_nobody_can_sign_for()
    {
        await using var server = await JwksServer.StartAsync(Jwks);
        var yaml = Workload
            + Policy("served", "default", $"  jwtRules:\n    - issuer: https://served.example\n      jwksUri: {server.Uri}\n")
            + Policy("down", "default", "  jwtRules:\n    - issuer: https://down.example\n      jwksUri: http://127.0.0.1:1/keys\n      timeout: 2s\n");
        var store = new ConfigStore();
        store.Apply([new("t.yaml", yaml)]);
        using var http = new HttpClient();
        var resolver = new JwksResolver(http);
        var push = new PushContext(store.Current, LocalRegistry.Build(store.Current), MeshConfig.Default, 1, "1") { Jwks = resolver };

        var config = JwtConfig(Hcm(Chain(ListenerOf(Sidecar(push: push), push, "virtualInbound"), "0.0.0.0_8080"))!)!;

        Assert.Equal("https://down.example", config.Providers["origins-0"].Issuer);
        Assert.Equal(JwksResolver.FailClosedJwks, config.Providers["origins-0"].LocalJwks.InlineString);
        Assert.Equal(Jwks, config.Providers["origins-1"].LocalJwks.InlineString);
        Assert.Equal(1, server.Fetches);

        // Cached: a second push does not fetch again, until the refresh finds a change.
        var again = new PushContext(store.Current, push.Registry, MeshConfig.Default, 2, "2") { Jwks = resolver };
        _ = ListenersOf(Sidecar(push: again), again);
        Assert.Equal(1, server.Fetches);
    }

    [Fact]
    public async Task Rotated_keys_are_refetched_when_due_and_pushed_to_the_proxies()
    {
        await using var server = await JwksServer.StartAsync(Jwks);
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var directory = new TempConfigDirectory();
        directory.Write("mesh.yaml", Workload + Policy("served", "default", $"  jwtRules:\n    - issuer: https://served.example\n      jwksUri: {server.Uri}\n"));
        await using var plane = await ControlPlane.StartAsync(
            new ControlPlaneOptions { ConfigDirectory = directory.Path, XdsAddress = "127.0.0.1:0", HttpAddress = "127.0.0.1:0", Time = time },
            NullLoggerFactory.Instance);

        string Inlined(PushContext push) =>
            JwtConfig(Hcm(Chain(ListenerOf(Sidecar(push: push), push, "virtualInbound"), "0.0.0.0_8080"))!)!.Providers["origins-0"].LocalJwks.InlineString;

        Assert.Equal(Jwks, Inlined(plane.Xds.Current));

        const string Rotated = """{"keys":[{"kty":"EC","kid":"k2","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}]}""";
        server.Body = Rotated;
        var pushed = new TaskCompletionSource<PushContext>(TaskCreationOptions.RunContinuationsAsynchronously);
        plane.Controller.Pushed += p => pushed.TrySetResult(p);

        // The refresh loop waits on the plane's clock: move it a minute at a time until the refresh has pushed (bounded).
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!pushed.Task.IsCompleted && DateTime.UtcNow < deadline)
        {
            time.Advance(TimeSpan.FromMinutes(1));
            await Task.WhenAny(pushed.Task, Task.Delay(100));
        }

        Assert.True(pushed.Task.IsCompleted, "no push after the JWKS changed");
        Assert.Equal(Rotated, Inlined(await pushed.Task));
    }

    [Fact]
    public void A_resolver_that_cannot_fetch_says_why()
    {
        var result = JwksResolver.Offline.Resolve("https://issuer.example", "http://127.0.0.1:1/keys", TimeSpan.FromSeconds(1));
        Assert.Null(result.Jwks);
        Assert.Contains("disabled", result.Error, StringComparison.Ordinal);

        using var http = new HttpClient();
        var refused = new JwksResolver(http).Resolve("https://issuer.example", "http://127.0.0.1:1/keys", TimeSpan.FromSeconds(2));
        Assert.Null(refused.Jwks);
        Assert.False(string.IsNullOrEmpty(refused.Error));
    }

    /// <summary>A real HTTP server answering the JWKS on <c>/keys</c>, counting fetches.</summary>
    private sealed class JwksServer : IAsyncDisposable
    {
        private readonly WebApplication _app;
        private int _fetches;

        private JwksServer(WebApplication app) => _app = app;

        public string Uri { get; private set; } = string.Empty;

        public int Fetches => Volatile.Read(ref _fetches);

        /// <summary>What the server answers (a test changes it to rotate keys).</summary>
        public string Body { get; set; } = string.Empty;

        public static async Task<JwksServer> StartAsync(string jwks)
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
            var app = builder.Build();
            var server = new JwksServer(app) { Body = jwks };
            app.MapGet("/keys", () =>
            {
                Interlocked.Increment(ref server._fetches);
                return Results.Text(server.Body, "application/json", Encoding.UTF8);
            });
            await app.StartAsync();
            server.Uri = app.Urls.First() + "/keys";
            return server;
        }

        public async ValueTask DisposeAsync() => await _app.DisposeAsync();
    }
}
