using System.Net;
using System.Text;
using Google.Protobuf.WellKnownTypes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Time.Testing;
using Weft.Proxy.Authentication;
using Weft.Proxy.Authorization;
using Weft.Proxy.Snapshot.Matching;
using Weft.Proxy.Tests.Support;
using Weft.Proxy.Xds;
using Weft.Xds.Envoy.Config.Core.V3;
using Weft.Xds.Envoy.Config.Route.V3;
using Weft.Xds.Envoy.Extensions.Filters.Http.JwtAuthn.V3;
using RemoteJwks = Weft.Xds.Envoy.Extensions.Filters.Http.JwtAuthn.V3.RemoteJwks;

namespace Weft.Proxy.Tests.Authentication;

/// <summary>
/// The jwt_authn filter on its own: requirement semantics Istio relies on (several providers sharing a location), keys
/// fetched from <c>remote_jwks</c> over real HTTP and cached for <c>cache_duration</c>, the payload left in dynamic
/// metadata, and configurations it cannot apply refused with the reason.
/// </summary>
public sealed class JwtAuthnFilterTests
{
    /// <summary>Fetches a key set straight from its URI, standing in for the cluster a proxy fetches it through.</summary>
    private static readonly JwksFetch Direct = async (jwks, cancel) =>
    {
        using var http = new HttpClient();
        try
        {
            return await http.GetStringAsync(jwks.Uri, cancel);
        }
        catch (HttpRequestException)
        {
            return null;
        }
    };

    private static RouteRequest Request(params (string Name, string Value)[] headers)
    {
        var dictionary = new HeaderDictionary();
        foreach (var (name, value) in headers)
        {
            dictionary[name] = value;
        }

        return new RouteRequest { Method = "GET", Authority = "app", Path = "/", Headers = dictionary };
    }

    private static JwtProvider Inline(string issuer, string jwks) => new()
    {
        Issuer = issuer,
        PayloadInMetadata = "payload",
        LocalJwks = new DataSource { InlineString = jwks },
    };

    private static JwtRequirement OrMissing(string provider) => new()
    {
        RequiresAny = new JwtRequirementOrList { Requirements = { new JwtRequirement { ProviderName = provider }, new JwtRequirement { AllowMissing = new Empty() } } },
    };

    /// <summary>Istio's requirement for two rules: any provider, or each provider accepting or finding nothing.</summary>
    private static JwtAuthentication TwoProviders(JwtProvider first, JwtProvider second)
    {
        var config = new JwtAuthentication { Providers = { ["origins-0"] = first, ["origins-1"] = second } };
        config.Rules.Add(new RequirementRule
        {
            Match = new RouteMatch { Prefix = "/" },
            Requires = new JwtRequirement
            {
                RequiresAny = new JwtRequirementOrList
                {
                    Requirements =
                    {
                        new JwtRequirement { ProviderName = "origins-0" },
                        new JwtRequirement { ProviderName = "origins-1" },
                        new JwtRequirement { RequiresAll = new JwtRequirementAndList { Requirements = { OrMissing("origins-0"), OrMissing("origins-1") } } },
                    },
                },
            },
        });
        return config;
    }

    [Fact]
    public async Task With_two_issuers_on_the_same_header_either_token_is_accepted_an_unknown_issuer_is_not_and_no_token_passes()
    {
        using var a = new TokenIssuer("https://a.example");
        using var b = new TokenIssuer("https://b.example");
        using var c = new TokenIssuer("https://c.example");
        var filter = JwtAuthnFilter.Compile(TwoProviders(Inline(a.Issuer, a.Jwks), Inline(b.Issuer, b.Jwks)), TimeProvider.System);

        foreach (var issuer in new[] { a, b })
        {
            var metadata = new DynamicMetadata();
            Assert.Equal(JwtStatus.Ok, await filter.RunAsync(Request(("authorization", "Bearer " + issuer.Token("alice"))), metadata, Direct, default));
            Assert.Equal(issuer.Issuer, metadata.Find(DynamicMetadata.JwtAuthnFilter, ["payload", "iss"])!.StringValue);
        }

        Assert.Equal(JwtStatus.UnknownIssuer, await filter.RunAsync(Request(("authorization", "Bearer " + c.Token("alice"))), new DynamicMetadata(), Direct, default));
        Assert.Equal(JwtStatus.Ok, await filter.RunAsync(Request(), new DynamicMetadata(), Direct, default));
        Assert.Equal(JwtStatus.Expired, await filter.RunAsync(
            Request(("authorization", "Bearer " + a.Token("alice", claims: new Dictionary<string, object> { ["exp"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 3600 }))),
            new DynamicMetadata(), Direct, default));
    }

    [Fact]
    public async Task EdDSA_tokens_signed_with_an_ed25519_key_of_the_jwks_are_accepted_and_a_forged_one_is_not()
    {
        using var issuer = new TokenIssuer("https://ed.example");
        var config = new JwtAuthentication { Providers = { ["p"] = Inline(issuer.Issuer, issuer.Jwks) } };
        config.Rules.Add(new RequirementRule { Match = new RouteMatch { Prefix = "/" }, Requires = new JwtRequirement { ProviderName = "p" } });
        var filter = JwtAuthnFilter.Compile(config, TimeProvider.System);

        var token = issuer.Token("alice", alg: "EdDSA");
        var metadata = new DynamicMetadata();
        Assert.Equal(JwtStatus.Ok, await filter.RunAsync(Request(("authorization", "Bearer " + token)), metadata, Direct, default));
        Assert.Equal("alice", metadata.Find(DynamicMetadata.JwtAuthnFilter, ["payload", "sub"])!.StringValue);

        // The same signature over other claims.
        var parts = token.Split('.');
        var forged = parts[0] + "." + TokenIssuer.B64(System.Text.Encoding.UTF8.GetBytes($$"""{"iss":"{{issuer.Issuer}}","sub":"mallory","exp":{{DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 3600}}}""")) + "." + parts[2];
        Assert.Equal(JwtStatus.VerificationFailed, await filter.RunAsync(Request(("authorization", "Bearer " + forged)), new DynamicMetadata(), Direct, default));
    }

    /// <summary>RFC 8032 section 7.1, tests 1 to 3: public key, message and signature (hex).</summary>
    [Theory]
    [InlineData("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "", "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b")]
    [InlineData("3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72", "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00")]
    [InlineData("fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025", "af82", "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a")]
    public void An_okp_ed25519_jwk_verifies_rfc_8032_test_vectors_and_refuses_an_altered_message(string publicKey, string message, string signature)
    {
        using var document = System.Text.Json.JsonDocument.Parse($$"""{"kty":"OKP","crv":"Ed25519","x":"{{TokenIssuer.B64(Convert.FromHexString(publicKey))}}"}""");
        var key = JsonWebKey.From(document.RootElement)!;
        Assert.True(key.Fits("EdDSA"));
        Assert.False(key.Fits("ES256"));
        var data = Convert.FromHexString(message);
        Assert.True(key.Verify("EdDSA", data, Convert.FromHexString(signature)));
        Assert.False(key.Verify("EdDSA", [.. data, 0x00], Convert.FromHexString(signature)));
    }

    [Fact]
    public void Okp_keys_on_other_curves_or_with_a_malformed_x_are_skipped()
    {
        foreach (var jwk in new[] { """{"kty":"OKP","crv":"Ed448","x":"AAAA"}""", """{"kty":"OKP","crv":"Ed25519","x":"AAAA"}""", """{"kty":"OKP","crv":"Ed25519"}""" })
        {
            using var document = System.Text.Json.JsonDocument.Parse(jwk);
            Assert.Null(JsonWebKey.From(document.RootElement));
        }
    }

    [Fact]
    public async Task A_remote_jwks_is_fetched_when_first_needed_cached_for_its_duration_and_fetched_again_after()
    {
        using var issuer = new TokenIssuer("https://issuer.example");
        await using var server = await KeyServer.StartAsync(issuer.Jwks);
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var config = new JwtAuthentication
        {
            Providers =
            {
                ["remote"] = new JwtProvider
                {
                    Issuer = issuer.Issuer,
                    RemoteJwks = new RemoteJwks
                    {
                        HttpUri = new HttpUri { Uri = server.Uri, Cluster = "outbound|80||keys.example", Timeout = Duration.FromTimeSpan(TimeSpan.FromSeconds(5)) },
                        CacheDuration = Duration.FromTimeSpan(TimeSpan.FromMinutes(5)),
                    },
                },
            },
            Rules = { new RequirementRule { Match = new RouteMatch { Prefix = "/" }, Requires = new JwtRequirement { ProviderName = "remote" } } },
        };
        var filter = JwtAuthnFilter.Compile(config, time);
        var token = "Bearer " + issuer.Sign("RS256", new Dictionary<string, object> { ["iss"] = issuer.Issuer, ["sub"] = "alice" });

        Assert.Equal(0, server.Fetches);
        Assert.Equal(JwtStatus.Ok, await filter.RunAsync(Request(("authorization", token)), new DynamicMetadata(), Direct, default));
        Assert.Equal(JwtStatus.Ok, await filter.RunAsync(Request(("authorization", token)), new DynamicMetadata(), Direct, default));
        Assert.Equal(1, server.Fetches);

        time.Advance(TimeSpan.FromMinutes(6));
        Assert.Equal(JwtStatus.Ok, await filter.RunAsync(Request(("authorization", token)), new DynamicMetadata(), Direct, default));
        Assert.Equal(2, server.Fetches);

        // Required and missing: 401 "Jwt is missing", challenged without error="invalid_token".
        var missing = await filter.RunAsync(Request(), new DynamicMetadata(), Direct, default);
        Assert.Equal((JwtStatus.Missing, 401, "Jwt is missing"), (missing, missing.HttpStatus(), missing.Message()));
        Assert.Equal("Bearer realm=\"http://app/\"", JwtAuthnFilter.Challenge(Request(), missing));
    }

    [Fact]
    public async Task Through_a_proxy_the_key_set_is_fetched_through_the_cluster_http_uri_names_with_its_host()
    {
        using var issuer = new TokenIssuer("https://issuer.example");
        await using var keys = await Backend.StartAsync("keys", respond: context => context.Response.WriteAsync(issuer.Jwks));
        await using var web = await Backend.StartAsync("web");
        var jwt = new JwtAuthentication
        {
            Providers =
            {
                ["remote"] = new JwtProvider
                {
                    Issuer = issuer.Issuer,
                    RemoteJwks = new RemoteJwks { HttpUri = new HttpUri { Uri = "https://issuer.example/.well-known/jwks.json", Cluster = "keys", Timeout = Duration.FromTimeSpan(TimeSpan.FromSeconds(5)) } },
                },
            },
            Rules = { new RequirementRule { Match = new RouteMatch { Prefix = "/" }, Requires = new JwtRequirement { ProviderName = "remote" } } },
        };
        var filter = new Weft.Xds.Envoy.Extensions.Filters.Network.HttpConnectionManager.V3.HttpFilter { Name = "envoy.filters.http.jwt_authn", TypedConfig = Any.Pack(jwt) };
        await using var plane = await ScriptedControlPlane.StartAsync(
        [
            .. XdsResources.VirtualOutbound(),
            XdsResources.HttpListener(8080, filter),
            XdsResources.Routes("8080", ("web.example", "web")),
            XdsResources.EdsCluster("web"), XdsResources.Assignment("web", ("127.0.0.1", web.Port)),
            XdsResources.EdsCluster("keys"), XdsResources.Assignment("keys", ("127.0.0.1", keys.Port)),
        ]);
        await using var proxy = await RunningProxy.StartAsync(plane.Address);

        using (var response = await proxy.GetAsync("web.example:8080", "/", ("authorization", "Bearer " + issuer.Token("alice"))))
        {
            Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        }

        // The endpoint the cluster picked was asked, for the URI's path, with the issuer's host.
        var fetch = Assert.Single(keys.Requests);
        Assert.Equal(("/.well-known/jwks.json", "issuer.example"), (fetch.Target, fetch.Host));
        using var bad = await proxy.GetAsync("web.example:8080", "/", ("authorization", "Bearer " + new TokenIssuer("https://issuer.example").Token("mallory")));
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, bad.StatusCode);
        Assert.Single(web.Requests);
    }

    [Fact]
    public async Task An_unreachable_remote_jwks_refuses_tokens_as_a_failed_fetch()
    {
        using var issuer = new TokenIssuer("https://issuer.example");
        var config = new JwtAuthentication
        {
            Providers =
            {
                ["remote"] = new JwtProvider
                {
                    Issuer = issuer.Issuer,
                    RemoteJwks = new RemoteJwks { HttpUri = new HttpUri { Uri = "http://127.0.0.1:1/keys", Cluster = "outbound|80||keys.example", Timeout = Duration.FromTimeSpan(TimeSpan.FromSeconds(2)) } },
                },
            },
            Rules = { new RequirementRule { Match = new RouteMatch { Prefix = "/" }, Requires = new JwtRequirement { ProviderName = "remote" } } },
        };
        var filter = JwtAuthnFilter.Compile(config, TimeProvider.System);
        var status = await filter.RunAsync(Request(("authorization", "Bearer " + issuer.Token("alice"))), new DynamicMetadata(), Direct, default);
        Assert.Equal(JwtStatus.JwksFetchFailed, status);
        Assert.Equal("Jwks remote fetch is failed", status.Message());

        // Envoy fetches through the cluster http_uri names: one without a cluster is refused.
        config.Providers["remote"].RemoteJwks.HttpUri.Cluster = string.Empty;
        var refused = Assert.Throws<XdsRejectedException>(() => JwtAuthnFilter.Compile(config, TimeProvider.System));
        Assert.Contains("remote_jwks.http_uri.cluster is empty", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Configurations_that_cannot_be_applied_are_refused_with_the_reason()
    {
        var noKeys = new JwtAuthentication { Providers = { ["p"] = new JwtProvider { Issuer = "https://issuer.example" } } };
        Assert.Contains("neither local_jwks nor remote_jwks", Assert.Throws<XdsRejectedException>(() => JwtAuthnFilter.Compile(noKeys, TimeProvider.System)).Message, StringComparison.Ordinal);

        var badJwks = new JwtAuthentication { Providers = { ["p"] = Inline("https://issuer.example", "{not json") } };
        var message = Assert.Throws<XdsRejectedException>(() => JwtAuthnFilter.Compile(badJwks, TimeProvider.System)).Message;
        Assert.Contains("provider p (issuer \"https://issuer.example\"): local_jwks", message, StringComparison.Ordinal);

        var unknown = new JwtAuthentication
        {
            Providers = { ["p"] = Inline("https://issuer.example", "{\"keys\":[]}") },
            Rules = { new RequirementRule { Match = new RouteMatch { Prefix = "/" }, Requires = new JwtRequirement { ProviderName = "q" } } },
        };
        Assert.Contains("provider \"q\" is not defined", Assert.Throws<XdsRejectedException>(() => JwtAuthnFilter.Compile(unknown, TimeProvider.System)).Message, StringComparison.Ordinal);

        var relative = new JwtAuthentication
        {
            Providers = { ["p"] = new JwtProvider { RemoteJwks = new RemoteJwks { HttpUri = new HttpUri { Uri = "/keys" } } } },
        };
        Assert.Contains("not an absolute http(s) URI", Assert.Throws<XdsRejectedException>(() => JwtAuthnFilter.Compile(relative, TimeProvider.System)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Paths_outside_every_rule_are_not_checked_and_cors_preflights_pass()
    {
        using var issuer = new TokenIssuer("https://issuer.example");
        var config = new JwtAuthentication
        {
            Providers = { ["p"] = Inline(issuer.Issuer, issuer.Jwks) },
            Rules = { new RequirementRule { Match = new RouteMatch { Prefix = "/api" }, Requires = new JwtRequirement { ProviderName = "p" } } },
            BypassCorsPreflight = true,
        };
        var filter = JwtAuthnFilter.Compile(config, TimeProvider.System);
        Assert.Equal(JwtStatus.Ok, await filter.RunAsync(Request(), new DynamicMetadata(), Direct, default));
        var api = new RouteRequest { Method = "GET", Authority = "app", Path = "/api/x", Headers = new HeaderDictionary() };
        Assert.Equal(JwtStatus.Missing, await filter.RunAsync(api, new DynamicMetadata(), Direct, default));
        var preflight = new RouteRequest
        {
            Method = "OPTIONS",
            Authority = "app",
            Path = "/api/x",
            Headers = new HeaderDictionary { ["origin"] = "https://site.example", ["access-control-request-method"] = "POST" },
        };
        Assert.Equal(JwtStatus.Ok, await filter.RunAsync(preflight, new DynamicMetadata(), Direct, default));
    }

    /// <summary>A real HTTP server answering a JWKS on <c>/keys</c>, counting fetches.</summary>
    private sealed class KeyServer : IAsyncDisposable
    {
        private readonly WebApplication _app;
        private int _fetches;

        private KeyServer(WebApplication app) => _app = app;

        public string Uri { get; private set; } = string.Empty;

        public int Fetches => Volatile.Read(ref _fetches);

        public static async Task<KeyServer> StartAsync(string jwks)
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
            var app = builder.Build();
            var server = new KeyServer(app);
            app.MapGet("/keys", () =>
            {
                Interlocked.Increment(ref server._fetches);
                return Results.Text(jwks, "application/json", Encoding.UTF8);
            });
            await app.StartAsync();
            server.Uri = app.Urls.First() + "/keys";
            return server;
        }

        public async ValueTask DisposeAsync() => await _app.DisposeAsync();
    }
}
