using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Weft.Proxy.Authorization;
using Weft.Proxy.Xds;
using Weft.Xds.Envoy.Config.Core.V3;
using Weft.Xds.Envoy.Config.Listener.V3;
using Weft.Xds.Envoy.Config.Rbac.V3;
using Weft.Xds.Envoy.Config.Route.V3;
using Weft.Xds.Envoy.Extensions.Filters.Network.HttpConnectionManager.V3;
using Weft.Xds.Envoy.Extensions.Path.Match.UriTemplate.V3;
using Weft.Xds.Envoy.Type.Matcher.V3;
using HttpExtAuthz = Weft.Xds.Envoy.Extensions.Filters.Http.ExtAuthz.V3.ExtAuthz;
using HttpRbac = Weft.Xds.Envoy.Extensions.Filters.Http.Rbac.V3.RBAC;
using NetworkRbac = Weft.Xds.Envoy.Extensions.Filters.Network.Rbac.V3.RBAC;
using RbacAction = Weft.Xds.Envoy.Config.Rbac.V3.RBAC.Types.Action;

namespace Weft.Proxy.Tests.Authorization;

/// <summary>The proxy's RBAC and ext_authz evaluation on Envoy configurations written directly, field by field.</summary>
public sealed class RbacEvaluatorTests
{
    private static Policy PolicyOf(Permission permission, Principal principal) => new() { Permissions = { permission }, Principals = { principal } };

    private static readonly Principal AnyPrincipal = new() { Any = true };
    private static readonly Permission AnyPermission = new() { Any = true };

    private static HttpFilter Rbac(RBAC? rules, RBAC? shadow = null, string shadowPrefix = "") => new()
    {
        Name = "envoy.filters.http.rbac",
        TypedConfig = Any.Pack(new HttpRbac { Rules = rules, ShadowRules = shadow, ShadowRulesStatPrefix = shadowPrefix }),
    };

    private static RBAC Rules(RbacAction action, params (string Name, Policy Policy)[] policies)
    {
        var rbac = new RBAC { Action = action };
        foreach (var (name, policy) in policies)
        {
            rbac.Policies[name] = policy;
        }

        return rbac;
    }

    private static AuthorizationOutcome Http(Probe probe, params HttpFilter[] filters) => AuthorizationOutcome.Of(filters, probe, tcp: false);

    [Fact]
    public void Allow_rules_without_policies_allow_nothing_and_no_rules_enforce_nothing()
    {
        Assert.False(Http(new Probe(), Rbac(Rules(RbacAction.Allow))).Allowed);
        Assert.True(Http(new Probe(), Rbac(null)).Allowed);
    }

    [Fact]
    public void The_first_matching_policy_in_name_order_is_the_one_reported()
    {
        var outcome = Http(new Probe(), Rbac(Rules(RbacAction.Deny, ("b-policy", PolicyOf(AnyPermission, AnyPrincipal)), ("a-policy", PolicyOf(AnyPermission, AnyPrincipal)))));
        Assert.False(outcome.Allowed);
        Assert.Equal(403, outcome.Status);
        Assert.Equal("rbac_access_denied_matched_policy[a-policy]", outcome.Details);
    }

    [Fact]
    public void Log_rules_never_deny_and_mark_what_they_match_for_the_access_log()
    {
        var outcome = Http(new Probe(), Rbac(Rules(RbacAction.Log, ("audit", PolicyOf(AnyPermission, AnyPrincipal)))));
        Assert.True(outcome.Allowed);
        Assert.Contains("\"envoy.common\":{ \"access_log_hint\": true }", outcome.Metadata, StringComparison.Ordinal);
    }

    [Fact]
    public void Shadow_rules_are_recorded_in_metadata_and_never_enforced()
    {
        var shadow = Rules(RbacAction.Deny, ("dry", PolicyOf(AnyPermission, AnyPrincipal)));
        var outcome = Http(new Probe(), Rbac(null, shadow, "istio_dry_run_deny_"));
        Assert.True(outcome.Allowed);
        Assert.Contains("\"istio_dry_run_deny_shadow_effective_policy_id\": \"dry\"", outcome.Metadata, StringComparison.Ordinal);
        Assert.Contains("\"istio_dry_run_deny_shadow_engine_result\": \"denied\"", outcome.Metadata, StringComparison.Ordinal);
    }

    [Fact]
    public void Counters_use_Envoys_stat_names()
    {
        var authorization = HttpAuthorization.Compile([Rbac(Rules(RbacAction.Allow), Rules(RbacAction.Allow), "istio_dry_run_allow_")], "inbound_0.0.0.0_8080;")!;
        authorization.Evaluate(new Probe().Input(tcp: false), out var shadowDenied);
        Assert.True(shadowDenied);
        var values = authorization.Counters.Single().Values().ToDictionary(v => v.Name, v => v.Value);
        Assert.Equal(1, values["http.inbound_0.0.0.0_8080;.rbac.denied"]);
        Assert.Equal(1, values["http.inbound_0.0.0.0_8080;.rbac.istio_dry_run_allow_shadow_denied"]);
        Assert.Equal(0, values["http.inbound_0.0.0.0_8080;.rbac.allowed"]);
    }

    [Fact]
    public void An_ext_authz_filter_runs_only_for_what_its_metadata_selects_and_fails_closed_without_a_service()
    {
        var marker = Rbac(null, Rules(RbacAction.Deny, ("istio-ext-authz-opa-ns[a]-policy[b]-rule[0]", PolicyOf(new Permission { UrlPath = new PathMatcher { Path = new StringMatcher { Prefix = "/secure" } } }, AnyPrincipal))), "istio_ext_authz_");
        var enabled = new MetadataMatcher { Filter = "envoy.filters.http.rbac", Value = new ValueMatcher { StringMatch = new StringMatcher { Prefix = "istio-ext-authz-opa" } } };
        enabled.Path.Add(new MetadataMatcher.Types.PathSegment { Key = "istio_ext_authz_shadow_effective_policy_id" });
        var extAuthz = new HttpFilter { Name = "envoy.filters.http.ext_authz", TypedConfig = Any.Pack(new HttpExtAuthz { FilterEnabledMetadata = enabled }) };

        Assert.True(Http(new Probe { Path = "/open" }, marker, extAuthz).Allowed);
        var denied = Http(new Probe { Path = "/secure/x" }, marker, extAuthz);
        Assert.False(denied.Allowed);
        Assert.Equal(403, denied.Status);
        Assert.Equal("ext_authz_error", denied.Details);
    }

    [Fact]
    public void Authenticated_matches_a_peer_by_uri_san_and_without_a_name_any_peer()
    {
        var named = PolicyOf(AnyPermission, new Principal { Authenticated = new Principal.Types.Authenticated { PrincipalName = new StringMatcher { Exact = "spiffe://td/ns/a/sa/b" } } });
        var anyone = PolicyOf(AnyPermission, new Principal { Authenticated = new Principal.Types.Authenticated() });
        Assert.True(Http(new Probe { Peer = "spiffe://td/ns/a/sa/b" }, Rbac(Rules(RbacAction.Allow, ("p", named)))).Allowed);
        Assert.False(Http(new Probe { Peer = "spiffe://td/ns/a/sa/c" }, Rbac(Rules(RbacAction.Allow, ("p", named)))).Allowed);
        Assert.True(Http(new Probe { Peer = "spiffe://td/ns/a/sa/c" }, Rbac(Rules(RbacAction.Allow, ("p", anyone)))).Allowed);
        Assert.False(Http(new Probe(), Rbac(Rules(RbacAction.Allow, ("p", anyone)))).Allowed);
    }

    [Fact]
    public void Port_ranges_are_half_open_and_filter_state_needs_the_key()
    {
        var range = PolicyOf(new Permission { DestinationPortRange = new Weft.Xds.Envoy.Type.V3.Int32Range { Start = 8000, End = 8080 } }, AnyPrincipal);
        Assert.True(Http(new Probe { Port = 8079 }, Rbac(Rules(RbacAction.Allow, ("p", range)))).Allowed);
        Assert.False(Http(new Probe { Port = 8080 }, Rbac(Rules(RbacAction.Allow, ("p", range)))).Allowed);

        var state = PolicyOf(AnyPermission, new Principal { FilterState = new FilterStateMatcher { Key = "io.istio.peer_principal", StringMatch = new StringMatcher { Prefix = "spiffe://" } } });
        Assert.False(Http(new Probe(), Rbac(Rules(RbacAction.Allow, ("p", state)))).Allowed);
    }

    [Fact]
    public void A_present_match_false_never_matches_and_a_missing_value_matches_nothing()
    {
        var absent = new MetadataMatcher { Filter = "envoy.filters.http.jwt_authn", Value = new ValueMatcher { PresentMatch = false } };
        absent.Path.Add(new MetadataMatcher.Types.PathSegment { Key = "payload" });
        Assert.False(Http(new Probe(), Rbac(Rules(RbacAction.Allow, ("p", PolicyOf(new Permission { Metadata = absent }, AnyPrincipal))))).Allowed);

        var inverted = absent.Clone();
        inverted.Invert = true;
        Assert.True(Http(new Probe(), Rbac(Rules(RbacAction.Allow, ("p", PolicyOf(new Permission { Metadata = inverted }, AnyPrincipal))))).Allowed);
    }

    [Theory]
    [InlineData("/api/*/users", "/api/v1/users", true)]
    [InlineData("/api/*/users", "/api//users", false)]
    [InlineData("/api/**", "/api/a/b", true)]
    [InlineData("/api/**", "/api/", true)]
    [InlineData("/**/path/template", "/a/b/path/template", true)]
    [InlineData("/**/path/template", "/path/template", false)]
    [InlineData("/**.mpd", "/content/123/manifest.mpd", true)]
    [InlineData("/videos/{file}", "/videos/a.m4s?x=1", true)]
    [InlineData("/videos/{file=*/hls/**}", "/videos/1/hls/a/b", true)]
    public void Uri_templates_match_as_Envoys(string template, string path, bool matches) =>
        Assert.Equal(matches, UriTemplateMatch.Compile(template).Matches(path));

    [Theory]
    [InlineData("api/*")]
    [InlineData("/api/**/x/*")]
    [InlineData("/a*b")]
    [InlineData("/{1x}")]
    public void Uri_templates_Envoy_refuses_are_refused(string template) =>
        Assert.Throws<XdsRejectedException>(() => UriTemplateMatch.Compile(template));

    [Fact]
    public void A_listener_with_rbac_and_ext_authz_compiles_and_a_bad_template_is_refused_with_the_filter_named()
    {
        var template = new Permission { UriTemplate = new TypedExtensionConfig { Name = "uri-template", TypedConfig = Any.Pack(new UriTemplateMatchConfig { PathTemplate = "/a/**/b/*" }) } };
        var bad = Rbac(Rules(RbacAction.Allow, ("p", PolicyOf(template, AnyPrincipal))));
        var error = Assert.Throws<XdsRejectedException>(() => HttpAuthorization.Compile([bad], "x"));
        Assert.Contains("HTTP filter envoy.filters.http.rbac: RBAC policy p: URI template \"/a/**/b/*\" is invalid", error.Message, StringComparison.Ordinal);

        var network = new Filter { Name = "envoy.filters.network.rbac", TypedConfig = Any.Pack(new NetworkRbac { StatPrefix = "tcp.", Rules = Rules(RbacAction.Allow) }) };
        var authorization = NetworkAuthorization.Compile([network])!;
        var facts = new Weft.Proxy.Snapshot.Listeners.ConnectionFacts(System.Net.IPAddress.Loopback, 5000, System.Net.IPAddress.Loopback, 40000, "raw_buffer", []);
        Assert.False(authorization.Evaluate(NetworkAuthorization.Input(facts, null), out _));
        Assert.Equal(1, authorization.Counters.Single().Values().Single(v => v.Name == "tcp.rbac.denied").Value);
    }

    [Fact]
    public void A_connection_has_no_request_so_header_and_path_permissions_do_not_match_it()
    {
        var header = PolicyOf(new Permission { Header = new HeaderMatcher { Name = ":method", PresentMatch = true } }, AnyPrincipal);
        var path = PolicyOf(new Permission { UrlPath = new PathMatcher { Path = new StringMatcher { Prefix = "/" } } }, AnyPrincipal);
        var rules = Rules(RbacAction.Allow, ("h", header), ("p", path));
        var filter = new Filter { Name = "envoy.filters.network.rbac", TypedConfig = Any.Pack(new NetworkRbac { StatPrefix = "tcp.", Rules = rules }) };
        Assert.False(AuthorizationOutcome.Of([filter], new Probe(), tcp: true).Allowed);
        Assert.True(Http(new Probe(), Rbac(rules)).Allowed);
    }
}
