using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Grpc.Core;
using Weft.Xds.Istio.Security.V1Alpha1;

namespace Weft.Control.Tests.Ca;

/// <summary>Istio's CreateCertificate over real TLS: who gets which certificate, for how long, and what is refused.</summary>
public sealed class CertificateServiceTests
{
    [Fact]
    public async Task A_workload_gets_a_chain_that_validates_with_exactly_its_spiffe_id()
    {
        using var state = new TempState();
        var clock = CaPlane.Clock();
        await using var plane = await CaPlane.StartAsync(state.Path, clock);
        var now = clock.GetUtcNow();

        var response = await plane.SecureCa().CreateCertificateAsync(CaPlane.Request(Csr.For(CaPlane.ReviewsId)), CaPlane.Bounded);

        var chain = IssuedChain.Of(response.CertChain);
        Assert.Equal(2, chain.Certificates.Count);
        var root = X509Certificate2.CreateFromPem(File.ReadAllText(state.File("ca", "root-cert.pem")));
        Assert.Equal(root.Thumbprint, chain.Root.Thumbprint);
        Assert.Empty(chain.Validate(root, now));

        var leaf = chain.Leaf;
        Assert.Equal([(6, CaPlane.ReviewsId)], chain.LeafAltNames());
        Assert.True(leaf.Extensions["2.5.29.17"]!.Critical);
        Assert.Equal(string.Empty, leaf.Subject);
        Assert.Equal(root.SubjectName.RawData, leaf.IssuerName.RawData);
        Assert.Equal(now.UtcDateTime.AddMinutes(-2), leaf.NotBefore.ToUniversalTime());
        Assert.Equal(now.UtcDateTime.AddHours(24), leaf.NotAfter.ToUniversalTime());
        Assert.False(leaf.Extensions.OfType<X509BasicConstraintsExtension>().Single().CertificateAuthority);
        Assert.Equal(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, leaf.Extensions.OfType<X509KeyUsageExtension>().Single().KeyUsages);
        Assert.Equal(["1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2"], leaf.Extensions.OfType<X509EnhancedKeyUsageExtension>().Single().EnhancedKeyUsages.Cast<Oid>().Select(o => o.Value));
        Assert.Equal(ECCurve.NamedCurves.nistP256.Oid.Value, leaf.GetECDsaPublicKey()!.ExportParameters(false).Curve.Oid.Value);
        Assert.True(leaf.GetSerialNumber().Length >= 16);

        // Each request gets a certificate of its own.
        var again = IssuedChain.Of((await plane.SecureCa().CreateCertificateAsync(CaPlane.Request(Csr.For(CaPlane.ReviewsId)), CaPlane.Bounded)).CertChain);
        Assert.NotEqual(leaf.SerialNumber, again.Leaf.SerialNumber);
    }

    [Fact]
    public async Task A_shorter_lifetime_is_honoured_and_a_longer_one_is_capped_at_the_ttl()
    {
        using var state = new TempState();
        var clock = CaPlane.Clock();
        await using var plane = await CaPlane.StartAsync(state.Path, clock, o => o with { WorkloadCertTtl = TimeSpan.FromHours(12) });
        var now = clock.GetUtcNow().UtcDateTime;
        var ca = plane.SecureCa();

        async Task<DateTime> NotAfter(long seconds) =>
            IssuedChain.Of((await ca.CreateCertificateAsync(CaPlane.Request(Csr.For(CaPlane.ReviewsId), validitySeconds: seconds), CaPlane.Bounded)).CertChain).Leaf.NotAfter.ToUniversalTime();

        Assert.Equal(now.AddHours(1), await NotAfter(3600));
        Assert.Equal(now.AddHours(12), await NotAfter(0));
        Assert.Equal(now.AddHours(12), await NotAfter((long)TimeSpan.FromHours(48).TotalSeconds));
    }

    [Fact]
    public async Task The_node_id_form_names_the_workload_and_rsa_csrs_are_accepted()
    {
        using var state = new TempState();
        await using var plane = await CaPlane.StartAsync(state.Path);
        var request = new IstioCertificateRequest { Csr = Csr.For(CaPlane.RatingsId, RSA.Create(2048)), Metadata = new() };
        request.Metadata.Fields["NodeId"] = Google.Protobuf.WellKnownTypes.Value.ForString("sidecar~127.0.0.11~ratings-v1.bookinfo~bookinfo.svc.cluster.local");

        var chain = IssuedChain.Of((await plane.SecureCa().CreateCertificateAsync(request, CaPlane.Bounded)).CertChain);
        Assert.Equal([(6, CaPlane.RatingsId)], chain.LeafAltNames());
        Assert.Equal(2048, chain.Leaf.GetRSAPublicKey()!.KeySize);
    }

    [Fact]
    public async Task Asking_for_another_workloads_identity_or_for_no_known_workload_is_refused()
    {
        using var state = new TempState();
        await using var plane = await CaPlane.StartAsync(state.Path);
        var ca = plane.SecureCa();

        var other = await Assert.ThrowsAsync<RpcException>(() => ca.CreateCertificateAsync(CaPlane.Request(Csr.For(CaPlane.RatingsId), "reviews-v1"), CaPlane.Bounded).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, other.StatusCode);
        Assert.Equal($"the CSR asks for {CaPlane.RatingsId}, but workload bookinfo/reviews-v1 may only have {CaPlane.ReviewsId} (its namespace and service account)", other.Status.Detail);

        var unknown = await Assert.ThrowsAsync<RpcException>(() => ca.CreateCertificateAsync(CaPlane.Request(Csr.For("spiffe://cluster.local/ns/bookinfo/sa/productpage"), "productpage-v1"), CaPlane.Bounded).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, unknown.StatusCode);
        Assert.Equal("workload bookinfo/productpage-v1 is not a WorkloadEntry of the configuration in force", unknown.Status.Detail);

        var anonymous = await Assert.ThrowsAsync<RpcException>(() => ca.CreateCertificateAsync(new IstioCertificateRequest { Csr = Csr.For(CaPlane.ReviewsId) }, CaPlane.Bounded).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, anonymous.StatusCode);
        Assert.StartsWith("the request does not say which workload it is", anonymous.Status.Detail);

        var garbage = await Assert.ThrowsAsync<RpcException>(() => ca.CreateCertificateAsync(CaPlane.Request("-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n"), CaPlane.Bounded).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, garbage.StatusCode);

        var weak = await Assert.ThrowsAsync<RpcException>(() => ca.CreateCertificateAsync(CaPlane.Request(Csr.For(CaPlane.ReviewsId, RSA.Create(1024))), CaPlane.Bounded).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, weak.StatusCode);
        Assert.Equal("the CSR's RSA key has 1024 bits; at least 2048 are needed", weak.Status.Detail);

        await ca.CreateCertificateAsync(CaPlane.Request(Csr.For(CaPlane.ReviewsId)), CaPlane.Bounded);
        var metrics = await plane.MetricsAsync();
        Assert.Contains("citadel_server_csr_count 6", metrics);
        Assert.Contains("citadel_server_success_cert_issuance_count 1", metrics);
        Assert.Contains("citadel_server_authentication_failure_count 3", metrics);
        Assert.Contains("citadel_server_csr_parsing_err_count 2", metrics);
        var rootExpiry = new DateTimeOffset(plane.Plane.Ca!.Root.NotAfter.ToUniversalTime(), TimeSpan.Zero).ToUnixTimeSeconds();
        Assert.Contains($"citadel_server_root_cert_expiry_timestamp {rootExpiry.ToString(CultureInfo.InvariantCulture)}\n", metrics);
        Assert.DoesNotContain("\ncitadel_server_cert_chain_expiry_timestamp ", metrics);
    }

    [Fact]
    public async Task The_plaintext_port_serves_xds_but_not_the_ca()
    {
        using var state = new TempState();
        await using var plane = await CaPlane.StartAsync(state.Path);

        var error = await Assert.ThrowsAsync<RpcException>(() => plane.PlaintextCa().CreateCertificateAsync(CaPlane.Request(Csr.For(CaPlane.ReviewsId)), CaPlane.Bounded).ResponseAsync);
        Assert.Equal(StatusCode.Unimplemented, error.StatusCode);
        Assert.Contains("citadel_server_csr_count 0", await plane.MetricsAsync());
    }

    [Fact]
    public async Task The_secure_port_serves_xds_to_a_client_trusting_the_root_by_its_localhost_name()
    {
        using var state = new TempState();
        await using var plane = await CaPlane.StartAsync(state.Path);
        var ads = new Weft.Xds.Envoy.Service.Discovery.V3.AggregatedDiscoveryService.AggregatedDiscoveryServiceClient(plane.SecureChannel(state.File("ca", "root-cert.pem"), host: "localhost"));
        using var call = ads.StreamAggregatedResources(CaPlane.Bounded);
        await call.RequestStream.WriteAsync(new Weft.Xds.Envoy.Service.Discovery.V3.DiscoveryRequest
        {
            Node = Support.AdsClient.SidecarNode("reviews-v1", "bookinfo", "127.0.0.10"),
            TypeUrl = Weft.Xds.TypeUrls.Cluster,
        });
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
        Assert.Equal(Weft.Xds.TypeUrls.Cluster, call.ResponseStream.Current.TypeUrl);
        Assert.NotEmpty(call.ResponseStream.Current.Resources);
    }

    [Fact]
    public async Task A_client_that_does_not_trust_the_root_cannot_connect()
    {
        using var state = new TempState();
        using var stranger = new TempState();
        using var otherCa = PlugInCa.Create(DateTimeOffset.UtcNow);
        Directory.CreateDirectory(stranger.Path);
        File.WriteAllText(stranger.File("root.pem"), PlugInCa.Pem(otherCa.Root));
        await using var plane = await CaPlane.StartAsync(state.Path);

        var client = new IstioCertificateService.IstioCertificateServiceClient(plane.SecureChannel(stranger.File("root.pem")));
        var error = await Assert.ThrowsAsync<RpcException>(() => client.CreateCertificateAsync(CaPlane.Request(Csr.For(CaPlane.ReviewsId)), CaPlane.Bounded).ResponseAsync);
        Assert.Contains("The SSL connection could not be established", error.Status.Detail);
        Assert.Contains("citadel_server_csr_count 0", await plane.MetricsAsync());
    }

    [Fact]
    public async Task With_require_tokens_only_the_workloads_own_token_works()
    {
        using var state = new TempState();
        await using var plane = await CaPlane.StartAsync(state.Path, options: o => o with { RequireTokens = true });
        var ca = plane.SecureCa();
        Directory.CreateDirectory(state.File("tokens", "bookinfo"));
        File.WriteAllText(state.File("tokens", "bookinfo", "reviews-v1"), "reviews-secret\n");
        File.WriteAllText(state.File("tokens", "bookinfo", "ratings-v1"), "ratings-secret\n");
        var request = CaPlane.Request(Csr.For(CaPlane.ReviewsId));

        var missing = await Assert.ThrowsAsync<RpcException>(() => ca.CreateCertificateAsync(request, CaPlane.Bounded).ResponseAsync);
        Assert.Equal(StatusCode.Unauthenticated, missing.StatusCode);
        Assert.StartsWith("no bearer token", missing.Status.Detail);

        var wrong = await Assert.ThrowsAsync<RpcException>(() => ca.CreateCertificateAsync(request, CaPlane.Bearer("ratings-secret")).ResponseAsync);
        Assert.Equal(StatusCode.Unauthenticated, wrong.StatusCode);
        Assert.Equal("the bearer token is not the token of workload bookinfo/reviews-v1", wrong.Status.Detail);

        var chain = IssuedChain.Of((await ca.CreateCertificateAsync(request, CaPlane.Bearer("reviews-secret")).ResponseAsync).CertChain);
        Assert.Equal([(6, CaPlane.ReviewsId)], chain.LeafAltNames());
        Assert.Contains("citadel_server_authentication_failure_count 2", await plane.MetricsAsync());
    }
}
