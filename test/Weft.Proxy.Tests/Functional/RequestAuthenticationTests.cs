using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Weft.Proxy.Tests.Support;

namespace Weft.Proxy.Tests.Functional;

/// <summary>
/// RequestAuthentication end to end: a real control plane serving the canary example, a real proxy that is the
/// product-catalog v1 workload, called on its inbound listener with tokens signed in the test. A valid token reaches the
/// workload with its claims in headers; an invalid one is answered 401 (403 for a wrong audience) with Envoy's reason and
/// never reaches it; a request without a token is left to AuthorizationPolicy, whose requestPrincipals and claims see the
/// validated token.
/// </summary>
public sealed class RequestAuthenticationTests
{
    private const string Workload = "sidecar~127.0.0.1~product-catalog-v1.default~default.svc.cluster.local";
    private const string IssuerName = "https://issuer.example";
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(30);

    /// <summary>A policy for the workload with one rule for the issuer; <paramref name="rule"/> holds the rule's other fields, indented by two.</summary>
    private static string RequestAuthentication(string rule) => $"""
        apiVersion: security.istio.io/v1
        kind: RequestAuthentication
        metadata:
          name: jwt
          namespace: default
        spec:
          selector:
            matchLabels:
              app: product-catalog
          jwtRules:
          - issuer: {IssuerName}
        {string.Join('\n', rule.Split('\n').Select(l => "  " + l))}
        """;

    private static string AuthorizationPolicy(string rule) => $"""
        apiVersion: security.istio.io/v1
        kind: AuthorizationPolicy
        metadata:
          name: require-jwt
          namespace: default
        spec:
          selector:
            matchLabels:
              app: product-catalog
          rules:
        {rule}
        """;

    [Fact]
    public async Task Valid_tokens_reach_the_workload_invalid_ones_are_refused_and_authorization_sees_the_principal_and_claims()
    {
        using var issuer = new TokenIssuer(IssuerName);
        using var stranger = new TokenIssuer(IssuerName);
        await using var mesh = await CanaryMesh.StartAsync();
        await using var proxy = await RunningProxy.StartAsync(mesh.XdsAddress, nodeId: Workload);
        using var client = new HttpClient(new SocketsHttpHandler { UseProxy = false });

        mesh.Write("jwt.yaml", RequestAuthentication($"""
              audiences: [catalog]
              jwks: '{issuer.Jwks}'
              outputClaimToHeaders:
              - {"{"}header: x-jwt-sub, claim: sub{"}"}
              - {"{"}header: x-jwt-level, claim: level{"}"}
            """));
        await EventuallyAsync(async () => (await SendAsync(client, proxy, "/", ("authorization", "Bearer not-a-token"))).Status == HttpStatusCode.Unauthorized, "the policy reaches the proxy");

        var catalog = new Dictionary<string, object> { ["aud"] = "catalog", ["level"] = 3 };
        foreach (var alg in new[] { "RS256", "PS256", "ES256" })
        {
            var ok = await SendAsync(client, proxy, "/items", ("authorization", "Bearer " + issuer.Token("alice", alg, catalog)));
            Assert.Equal((HttpStatusCode.OK, "v1"), (ok.Status, ok.Body));
            var received = mesh.V1.Requests.Last();
            Assert.Equal("alice", received.Headers["x-jwt-sub"]);
            Assert.Equal("3", received.Headers["x-jwt-level"]);
            Assert.False(received.Headers.ContainsKey("authorization"), "the token is not forwarded without forwardOriginalToken");
        }

        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var withinSkew = await SendAsync(client, proxy, "/", ("authorization", "Bearer " + issuer.Token("alice", claims: new Dictionary<string, object> { ["aud"] = "catalog", ["exp"] = now - 30 })));
        Assert.Equal(HttpStatusCode.OK, withinSkew.Status);

        var reached = mesh.V1.Requests.Count;
        var refused = new (string What, string Token, HttpStatusCode Status, string Body)[]
        {
            ("expired", issuer.Token("alice", claims: new Dictionary<string, object> { ["aud"] = "catalog", ["exp"] = now - 300 }), HttpStatusCode.Unauthorized, "Jwt is expired"),
            ("not yet valid", issuer.Token("alice", claims: new Dictionary<string, object> { ["aud"] = "catalog", ["nbf"] = now + 300 }), HttpStatusCode.Unauthorized, "Jwt not yet valid"),
            ("wrong issuer", issuer.Token("alice", claims: new Dictionary<string, object> { ["aud"] = "catalog", ["iss"] = "https://other.example" }), HttpStatusCode.Unauthorized, "Jwt issuer is not configured"),
            ("wrong audience", issuer.Token("alice", claims: new Dictionary<string, object> { ["aud"] = "billing" }), HttpStatusCode.Forbidden, "Audiences in Jwt are not allowed"),
            ("no audience", issuer.Token("alice"), HttpStatusCode.Forbidden, "Audiences in Jwt are not allowed"),
            ("signed by another key", stranger.Token("alice", claims: catalog), HttpStatusCode.Unauthorized, "Jwt verification fails"),
            ("tampered payload", TokenIssuer.Tamper(issuer.Token("alice", claims: catalog)), HttpStatusCode.Unauthorized, "Jwt verification fails"),
            ("malformed", "not-a-token", HttpStatusCode.Unauthorized, "Jwt is not in the form of Header.Payload.Signature with two dots and 3 sections"),
        };
        foreach (var (what, token, status, body) in refused)
        {
            var response = await SendAsync(client, proxy, "/items?x=1", ("authorization", "Bearer " + token));
            Assert.True((status, body) == (response.Status, response.Body), $"{what}: got {(int)response.Status} {response.Body}");
            Assert.Equal($"Bearer realm=\"http://{CanaryMesh.Host}/items\", error=\"invalid_token\"", response.Challenge);
        }

        Assert.Equal(reached, mesh.V1.Requests.Count);
        var stats = await client.GetStringAsync(new Uri($"http://{proxy.Host.StatsEndpoint}/stats/prometheus"));
        var denied = System.Text.RegularExpressions.Regex.Match(stats, @"weft_jwt_authn_total\{stat=""http\.inbound_0\.0\.0\.0_\d+;\.jwt_authn\.denied""\} (\d+)");
        Assert.True(denied.Success, stats);
        Assert.True(int.Parse(denied.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) >= refused.Length, denied.Value);

        var missing = await SendAsync(client, proxy, "/");
        Assert.Equal(HttpStatusCode.OK, missing.Status);

        // requestPrincipals: ISS/SUB of the validated token; no token means no principal.
        mesh.Write("authz.yaml", AuthorizationPolicy($"  - from: [{{source: {{requestPrincipals: [\"{IssuerName}/alice\"]}}}}]"));
        await EventuallyAsync(async () => (await SendAsync(client, proxy, "/")).Status == HttpStatusCode.Forbidden, "the authorization policy reaches the proxy");
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(client, proxy, "/", ("authorization", "Bearer " + issuer.Token("alice", claims: catalog)))).Status);
        var bob = await SendAsync(client, proxy, "/", ("authorization", "Bearer " + issuer.Token("bob", claims: catalog)));
        Assert.Equal((HttpStatusCode.Forbidden, "RBAC: access denied"), (bob.Status, bob.Body));

        // request.auth.claims: list-valued claims match any element; scope is space-delimited.
        mesh.Write("authz.yaml", AuthorizationPolicy("  - when: [{key: \"request.auth.claims[groups]\", values: [admins]}, {key: \"request.auth.claims[scope]\", values: [write]}]"));
        var admin = issuer.Token("carol", claims: new Dictionary<string, object> { ["aud"] = "catalog", ["groups"] = new[] { "dev", "admins" }, ["scope"] = "read write" });
        await EventuallyAsync(async () => (await SendAsync(client, proxy, "/", ("authorization", "Bearer " + admin))).Status == HttpStatusCode.OK, "the claims policy reaches the proxy");
        var developer = issuer.Token("dave", claims: new Dictionary<string, object> { ["aud"] = "catalog", ["groups"] = new[] { "dev" }, ["scope"] = "read write" });
        Assert.Equal(HttpStatusCode.Forbidden, (await SendAsync(client, proxy, "/", ("authorization", "Bearer " + developer))).Status);

        // Removing both opens the workload again, whatever the token.
        mesh.Write("authz.yaml", "# none\n");
        mesh.Write("jwt.yaml", "# none\n");
        await EventuallyAsync(async () => (await SendAsync(client, proxy, "/", ("authorization", "Bearer not-a-token"))).Status == HttpStatusCode.OK, "the removal reaches the proxy");
    }

    [Fact]
    public async Task Tokens_are_read_from_the_configured_header_parameter_or_cookie_with_keys_the_control_plane_fetched_from_a_jwks_uri()
    {
        using var issuer = new TokenIssuer(IssuerName);
        await using var keys = await JwksServer.StartAsync(issuer.Jwks);
        await using var mesh = await CanaryMesh.StartAsync();
        await using var proxy = await RunningProxy.StartAsync(mesh.XdsAddress, nodeId: Workload);
        using var client = new HttpClient(new SocketsHttpHandler { UseProxy = false, UseCookies = false });

        mesh.Write("authz.yaml", AuthorizationPolicy("  - from: [{source: {requestPrincipals: [\"*\"]}}]"));
        mesh.Write("jwt.yaml", RequestAuthentication($"""
              jwksUri: {keys.Uri}
              fromHeaders: [{"{"}name: x-token, prefix: "Token "{"}"}]
              fromParams: [tok]
              fromCookies: [session]
              forwardOriginalToken: true
              outputPayloadToHeader: x-jwt-payload
            """));
        var token = issuer.Token("alice");
        // Without the authorization policy any request passes, and with it alone a token is never seen: wait for both.
        await EventuallyAsync(async () => (await SendAsync(client, proxy, "/")).Status == HttpStatusCode.Forbidden, "the authorization policy reaches the proxy");
        await EventuallyAsync(async () => (await SendAsync(client, proxy, "/", ("x-token", "Token " + token))).Status == HttpStatusCode.OK, "the request authentication reaches the proxy");

        var received = mesh.V1.Requests.Last();
        Assert.Equal("Token " + token, received.Headers["x-token"]);
        using (var payload = JsonDocument.Parse(Convert.FromBase64String(Pad(received.Headers["x-jwt-payload"].Replace('-', '+').Replace('_', '/')))))
        {
            Assert.Equal("alice", payload.RootElement.GetProperty("sub").GetString());
        }

        Assert.Equal(HttpStatusCode.OK, (await SendAsync(client, proxy, "/?tok=" + token)).Status);
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(client, proxy, "/", ("cookie", "theme=dark; session=" + token))).Status);

        // Not a location of this rule: the token is not looked at, so the request has no principal.
        Assert.Equal(HttpStatusCode.Forbidden, (await SendAsync(client, proxy, "/", ("authorization", "Bearer " + token))).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await SendAsync(client, proxy, "/", ("cookie", "session=" + TokenIssuer.Tamper(token)))).Status);
        Assert.True(keys.Fetches >= 1);
    }

    private static string Pad(string base64) => base64.PadRight(base64.Length + ((4 - (base64.Length % 4)) % 4), '=');

    private sealed record Answer(HttpStatusCode Status, string Body, string? Challenge);

    private static async Task<Answer> SendAsync(HttpClient client, RunningProxy proxy, string path, params (string Name, string Value)[] headers)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"http://{proxy.Host.InboundEndpoint}{path}");
        request.Headers.Host = CanaryMesh.Host;
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        using var response = await client.SendAsync(request);
        return new Answer(response.StatusCode, await response.Content.ReadAsStringAsync(),
            response.Headers.WwwAuthenticate.Count > 0 ? string.Join(", ", response.Headers.GetValues("www-authenticate")) : null);
    }

    private static async Task EventuallyAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(Generous.TotalSeconds * Stopwatch.Frequency);
        while (!await condition())
        {
            if (Stopwatch.GetTimestamp() > deadline)
            {
                throw new TimeoutException("timed out waiting until " + what);
            }

            await Task.Delay(50);
        }
    }

    /// <summary>A real HTTP server answering a JWKS on <c>/keys</c>.</summary>
    private sealed class JwksServer : IAsyncDisposable
    {
        private readonly WebApplication _app;
        private int _fetches;

        private JwksServer(WebApplication app) => _app = app;

        public string Uri { get; private set; } = string.Empty;

        public int Fetches => Volatile.Read(ref _fetches);

        public static async Task<JwksServer> StartAsync(string jwks)
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
            var app = builder.Build();
            var server = new JwksServer(app);
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
