using Google.Protobuf.WellKnownTypes;
using Weft.Control.Tests.Support;
using Weft.Xds;
using Weft.Xds.Envoy.Config.Core.V3;
using Weft.Xds.Envoy.Extensions.TransportSockets.Tls.V3;
using Weft.Xds.Envoy.Service.Discovery.V3;

namespace Weft.Control.Tests.Xds;

/// <summary>
/// SDS over ADS: credentialName secrets served from Secrets in the configuration, over the TLS port only, to proxies of
/// their namespace only.
/// </summary>
public sealed class SecretDiscoveryTests
{
    private static readonly TlsCredentials Gateway = TlsCredentials.Make("gw.example.com");
    private static readonly TlsCredentials Rotated = TlsCredentials.Make("gw.example.com");
    private static readonly TlsCredentials Ca = TlsCredentials.Make("client-ca");

    private static Dictionary<string, string> Files() => new()
    {
        ["gw-secret.yaml"] = Gateway.Secret("gw-cred", "istio-system", Ca.CertPem),
        ["other-secret.yaml"] = TlsCredentials.Make("other").Secret("other-cred", "team-a"),
    };

    [Fact]
    public async Task A_gateway_gets_the_secrets_of_its_namespace_and_nothing_for_names_it_may_not_see_or_that_do_not_exist()
    {
        await using var control = await RunningControlPlane.StartAsync(Files(), secure: true);
        await using var client = control.SecureAds(RouterNode("istio-system"));

        await client.SendAsync(TypeUrls.Secret, ["kubernetes://gw-cred", "kubernetes://gw-cred-cacert", "kubernetes://istio-system/gw-cred", "kubernetes://missing", "kubernetes://team-a/other-cred"]);
        var response = await client.ReceiveAsync();
        var secrets = response.Resources.Select(r => r.Unpack<Secret>()).ToDictionary(s => s.Name);

        Assert.Equal(["kubernetes://gw-cred", "kubernetes://gw-cred-cacert", "kubernetes://istio-system/gw-cred"], secrets.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(Gateway.CertPem, secrets["kubernetes://gw-cred"].TlsCertificate.CertificateChain.InlineBytes.ToStringUtf8());
        Assert.Equal(Gateway.KeyPem, secrets["kubernetes://gw-cred"].TlsCertificate.PrivateKey.InlineBytes.ToStringUtf8());
        Assert.Equal(Ca.CertPem, secrets["kubernetes://gw-cred-cacert"].ValidationContext.TrustedCa.InlineBytes.ToStringUtf8());
        Assert.Equal(Gateway.CertPem, secrets["kubernetes://istio-system/gw-cred"].TlsCertificate.CertificateChain.InlineBytes.ToStringUtf8());
    }

    [Fact]
    public async Task The_cacert_secret_carries_the_CRL_beside_the_CA()
    {
        var crl = "-----BEGIN X509 CRL-----\nMAA=\n-----END X509 CRL-----\n";
        var files = Files();
        files["gw-secret.yaml"] = Gateway.Secret("gw-cred", "istio-system", Ca.CertPem) + $"  ca.crl: {Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(crl))}\n";
        await using var control = await RunningControlPlane.StartAsync(files, secure: true);
        await using var client = control.SecureAds(RouterNode("istio-system"));

        await client.SendAsync(TypeUrls.Secret, ["kubernetes://gw-cred-cacert"]);
        var validation = (await client.ReceiveAsync()).Resources.Single().Unpack<Secret>().ValidationContext;

        Assert.Equal(Ca.CertPem, validation.TrustedCa.InlineBytes.ToStringUtf8());
        Assert.Equal(crl, validation.Crl.InlineBytes.ToStringUtf8());
    }

    [Fact]
    public async Task A_proxy_of_another_namespace_gets_no_secret_of_this_one()
    {
        await using var control = await RunningControlPlane.StartAsync(Files(), secure: true);
        await using var client = control.SecureAds(RouterNode("team-a"));

        await client.SendAsync(TypeUrls.Secret, ["kubernetes://gw-cred", "kubernetes://istio-system/gw-cred", "kubernetes://other-cred"]);
        var response = await client.ReceiveAsync();

        Assert.Equal(["kubernetes://other-cred"], response.Resources.Select(r => r.Unpack<Secret>().Name));
    }

    [Fact]
    public async Task An_edited_secret_is_pushed_to_the_proxies_that_subscribed_to_it_only()
    {
        await using var control = await RunningControlPlane.StartAsync(Files(), secure: true);
        await using var subscribed = control.SecureAds(RouterNode("istio-system"));
        await using var elsewhere = control.SecureAds(RouterNode("team-a", "other-gateway"));
        await subscribed.SendAsync(TypeUrls.Secret, ["kubernetes://gw-cred"]);
        var first = await subscribed.ReceiveAsync();
        await subscribed.SendAsync(TypeUrls.Secret, ["kubernetes://gw-cred"], ack: first);
        await elsewhere.SendAsync(TypeUrls.Secret, ["kubernetes://other-cred"]);
        var other = await elsewhere.ReceiveAsync();
        await elsewhere.SendAsync(TypeUrls.Secret, ["kubernetes://other-cred"], ack: other);

        await control.ChangeAsync(d => d.Write("gw-secret.yaml", Rotated.Secret("gw-cred", "istio-system", Ca.CertPem)));

        var pushed = await subscribed.ReceiveAsync();
        Assert.Equal(TypeUrls.Secret, pushed.TypeUrl);
        Assert.Equal(Rotated.CertPem, pushed.Resources.Single().Unpack<Secret>().TlsCertificate.CertificateChain.InlineBytes.ToStringUtf8());
        Assert.Null(await elsewhere.ReceiveWithinAsync(TimeSpan.FromSeconds(1)));
    }

    [Fact]
    public async Task An_invalid_edit_keeps_the_last_good_secret_in_force()
    {
        await using var control = await RunningControlPlane.StartAsync(Files(), secure: true);
        // The key of another certificate: refused, and no push, since nothing in force changed.
        control.Directory.Write("gw-secret.yaml", Gateway.Secret("gw-cred", "istio-system").Replace(Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(Gateway.KeyPem)), Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(Rotated.KeyPem)), StringComparison.Ordinal));
        Assert.Empty(control.Plane.Controller.Reload());

        var rejection = Assert.Single(control.Plane.Store.Current.Rejections);
        Assert.True(rejection.KeptLastGood);
        Assert.Contains("data[tls.key]", rejection.Errors.Single().ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(Rotated.KeyPem.Split('\n')[1], rejection.Errors.Single().ToString(), StringComparison.Ordinal);

        await using var client = control.SecureAds(RouterNode("istio-system"));
        await client.SendAsync(TypeUrls.Secret, ["kubernetes://gw-cred"]);
        var response = await client.ReceiveAsync();
        Assert.Equal(Gateway.KeyPem, response.Resources.Single().Unpack<Secret>().TlsCertificate.PrivateKey.InlineBytes.ToStringUtf8());
    }

    [Fact]
    public async Task Delta_sends_the_secret_and_names_it_removed_when_its_file_goes()
    {
        await using var control = await RunningControlPlane.StartAsync(Files(), secure: true);
        await using var client = control.SecureAds(RouterNode("istio-system"), delta: true);

        await client.SendDeltaAsync(new DeltaDiscoveryRequest { TypeUrl = TypeUrls.Secret, ResourceNamesSubscribe = { "kubernetes://gw-cred", "kubernetes://missing" } });
        var first = await client.ReceiveDeltaAsync();
        Assert.Equal(["kubernetes://gw-cred"], first.Resources.Select(r => r.Name));
        await client.SendDeltaAsync(new DeltaDiscoveryRequest { TypeUrl = TypeUrls.Secret, ResponseNonce = first.Nonce });

        await control.ChangeAsync(d => d.Delete("gw-secret.yaml"));
        var change = await client.ReceiveDeltaAsync();
        Assert.Empty(change.Resources);
        Assert.Equal(["kubernetes://gw-cred"], change.RemovedResources);
    }

    [Fact]
    public async Task Over_plaintext_xDS_a_gateway_gets_no_secret_and_the_log_says_where_to_connect()
    {
        var logs = new RecordedLogs();
        await using var control = await RunningControlPlane.StartAsync(Files(), logs, secure: true);
        await using var client = new AdsClient(control.XdsAddress, RouterNode("istio-system"));

        await client.SendAsync(TypeUrls.Secret, ["kubernetes://gw-cred", "kubernetes://gw-cred-cacert"]);
        var response = await client.ReceiveAsync();

        Assert.Empty(response.Resources);
        var warning = Assert.Single(logs.Of(305));
        Assert.Contains("router~127.0.0.1~ingressgateway.istio-system", warning, StringComparison.Ordinal);
        Assert.Contains("--secure-xds-address", warning, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task With_required_tokens_a_stream_without_its_workloads_token_is_refused_and_one_with_it_gets_its_secrets(bool delta)
    {
        await using var control = await RunningControlPlane.StartAsync(Files(), secure: true, requireTokens: true);
        control.RegisterToken("istio-system", "ingressgateway", "gw-token");

        foreach (var token in new[] { null, "another-token" })
        {
            await using var refused = control.SecureAds(RouterNode("istio-system"), delta, token);
            var failure = await Assert.ThrowsAsync<Grpc.Core.RpcException>(async () =>
            {
                if (delta)
                {
                    await refused.SendDeltaAsync(new DeltaDiscoveryRequest { TypeUrl = TypeUrls.Secret, ResourceNamesSubscribe = { "kubernetes://gw-cred" } });
                    await refused.ReceiveDeltaAsync();
                }
                else
                {
                    await refused.SendAsync(TypeUrls.Secret, ["kubernetes://gw-cred"]);
                    await refused.ReceiveAsync();
                }
            });
            Assert.Equal(Grpc.Core.StatusCode.Unauthenticated, failure.StatusCode);
            Assert.Contains("istio-system/ingressgateway", failure.Status.Detail, StringComparison.Ordinal);
        }

        await using var client = control.SecureAds(RouterNode("istio-system"), delta, "gw-token");
        if (delta)
        {
            await client.SendDeltaAsync(new DeltaDiscoveryRequest { TypeUrl = TypeUrls.Secret, ResourceNamesSubscribe = { "kubernetes://gw-cred" } });
            Assert.Equal(["kubernetes://gw-cred"], (await client.ReceiveDeltaAsync()).Resources.Select(r => r.Name));
        }
        else
        {
            await client.SendAsync(TypeUrls.Secret, ["kubernetes://gw-cred"]);
            Assert.Equal(["kubernetes://gw-cred"], (await client.ReceiveAsync()).Resources.Select(r => r.Unpack<Secret>().Name));
        }
    }

    [Fact]
    public async Task A_client_certificate_from_the_CA_proves_the_namespace_without_a_token_and_one_for_another_namespace_is_refused()
    {
        await using var control = await RunningControlPlane.StartAsync(Files(), secure: true, requireTokens: true);

        await using (var proven = control.SecureAds(RouterNode("istio-system"), clientCertificate: control.WorkloadCertificate("istio-system", "ingressgateway")))
        {
            await proven.SendAsync(TypeUrls.Secret, ["kubernetes://gw-cred"]);
            Assert.Equal(["kubernetes://gw-cred"], (await proven.ReceiveAsync()).Resources.Select(r => r.Unpack<Secret>().Name));
        }

        await using var elsewhere = control.SecureAds(RouterNode("istio-system"), clientCertificate: control.WorkloadCertificate("team-a", "ingressgateway"));
        await elsewhere.SendAsync(TypeUrls.Secret, ["kubernetes://gw-cred"]);
        var refused = await Assert.ThrowsAsync<Grpc.Core.RpcException>(elsewhere.ReceiveAsync);
        Assert.Equal(Grpc.Core.StatusCode.Unauthenticated, refused.StatusCode);
        Assert.Contains("is for namespace team-a", refused.Status.Detail, StringComparison.Ordinal);

        // A certificate no CA of this control plane issued ends the handshake.
        await using var stranger = control.SecureAds(RouterNode("istio-system"), clientCertificate: control.WorkloadCertificate("istio-system", "ingressgateway", selfSigned: true));
        await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await stranger.SendAsync(TypeUrls.Secret, ["kubernetes://gw-cred"]);
            await stranger.ReceiveAsync();
        });
    }

    private static Node RouterNode(string ns, string name = "ingressgateway")
    {
        var node = new Node { Id = $"router~127.0.0.1~{name}.{ns}~{ns}.svc.cluster.local", Metadata = new Struct() };
        node.Metadata.Fields["NAMESPACE"] = Value.ForString(ns);
        return node;
    }
}
