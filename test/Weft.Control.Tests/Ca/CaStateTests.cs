using System.Security.Cryptography.X509Certificates;
using Weft.Control.Ca;

namespace Weft.Control.Tests.Ca;

/// <summary>What the CA keeps in the state directory, and how it treats an operator's plug-in certificates, good or broken.</summary>
public sealed class CaStateTests
{
    [Fact]
    public async Task First_start_creates_a_private_root_and_later_starts_reuse_it()
    {
        using var state = new TempState();
        string firstCert;
        await using (var first = await CaPlane.StartAsync(state.Path))
        {
            Assert.Equal("self-signed root, created now", first.Plane.Ca!.Description);
            firstCert = File.ReadAllText(state.File("ca", "root-cert.pem"));
        }

        Assert.False(OperatingSystem.IsWindows(), "file modes are checked on Unix");
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(state.File("ca", "root-key.pem")));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(state.File("ca")));
        }

        var root = X509Certificate2.CreateFromPem(firstCert);
        Assert.True(root.Extensions.OfType<X509BasicConstraintsExtension>().Single().CertificateAuthority);
        Assert.Equal(root.SubjectName.RawData, root.IssuerName.RawData);
        Assert.Contains("O=cluster.local", root.Subject);

        var keyBefore = File.ReadAllText(state.File("ca", "root-key.pem"));
        await using var second = await CaPlane.StartAsync(state.Path);
        Assert.Equal("self-signed root", second.Plane.Ca!.Description);
        Assert.Equal(firstCert, File.ReadAllText(state.File("ca", "root-cert.pem")));
        Assert.Equal(keyBefore, File.ReadAllText(state.File("ca", "root-key.pem")));

        // What the second start issues chains to the root the first start made.
        var response = await second.SecureCa().CreateCertificateAsync(CaPlane.Request(Csr.For(CaPlane.ReviewsId)), CaPlane.Bounded);
        Assert.Empty(IssuedChain.Of(response.CertChain).Validate(root, DateTimeOffset.UtcNow));
    }

    [Fact]
    public async Task A_root_key_without_its_certificate_is_refused_naming_both_files()
    {
        using var state = new TempState();
        await using (await CaPlane.StartAsync(state.Path))
        {
        }

        File.Delete(state.File("ca", "root-cert.pem"));
        var error = await Assert.ThrowsAsync<CaException>(() => CaPlane.StartAsync(state.Path));
        Assert.Equal($"{state.File("ca", "root-key.pem")} exists but its certificate {state.File("ca", "root-cert.pem")} does not: put the certificate back, or remove the key to have a new root made (certificates of the old root then stop being trusted)", error.Message);
    }

    [Fact]
    public async Task An_expired_root_is_refused_rather_than_silently_replaced()
    {
        using var state = new TempState();
        var clock = CaPlane.Clock();
        await using (await CaPlane.StartAsync(state.Path, clock))
        {
        }

        clock.Advance(TimeSpan.FromDays(3651));
        var error = await Assert.ThrowsAsync<CaException>(() => CaPlane.StartAsync(state.Path, clock));
        Assert.StartsWith($"{state.File("ca", "root-cert.pem")}: the certificate (CN=Weft root CA, O=cluster.local) expired on ", error.Message);
    }

    [Fact]
    public async Task Plugged_in_cacerts_sign_and_their_chain_is_served()
    {
        using var state = new TempState();
        using var operatorCa = PlugInCa.Create(DateTimeOffset.UtcNow);
        operatorCa.WriteTo(state.File("ca", "cacerts"));

        await using var plane = await CaPlane.StartAsync(state.Path);
        Assert.Equal($"plug-in CA from {state.File("ca", "cacerts")}", plane.Plane.Ca!.Description);
        Assert.False(File.Exists(state.File("ca", "root-key.pem")));

        // The secure port's certificate is the operator's too: a client trusting only the operator's root connects.
        var client = new Weft.Xds.Istio.Security.V1Alpha1.IstioCertificateService.IstioCertificateServiceClient(plane.SecureChannel(state.File("ca", "cacerts", "root-cert.pem")));
        var response = await client.CreateCertificateAsync(CaPlane.Request(Csr.For(CaPlane.ReviewsId)), CaPlane.Bounded);
        var chain = IssuedChain.Of(response.CertChain);
        Assert.Equal([operatorCa.Intermediate.Thumbprint, operatorCa.Root.Thumbprint], chain.Certificates.Skip(1).Select(c => c.Thumbprint));
        Assert.Equal(operatorCa.Intermediate.SubjectName.RawData, chain.Leaf.IssuerName.RawData);
        Assert.Empty(chain.Validate(operatorCa.Root, DateTimeOffset.UtcNow));

        var metrics = await plane.MetricsAsync();
        Assert.Contains($"citadel_server_root_cert_expiry_timestamp {new DateTimeOffset(operatorCa.Root.NotAfter.ToUniversalTime()).ToUnixTimeSeconds()}\n", metrics);
        Assert.Contains($"citadel_server_cert_chain_expiry_timestamp {new DateTimeOffset(operatorCa.Intermediate.NotAfter.ToUniversalTime()).ToUnixTimeSeconds()}\n", metrics);
    }

    [Fact]
    public async Task A_cacerts_directory_given_by_flag_is_used()
    {
        using var state = new TempState();
        using var elsewhere = new TempState();
        using var operatorCa = PlugInCa.Create(DateTimeOffset.UtcNow);
        operatorCa.WriteTo(elsewhere.Path);

        await using var plane = await CaPlane.StartAsync(state.Path, options: o => o with { CaCertsDirectory = elsewhere.Path });
        Assert.Equal(operatorCa.Intermediate.Thumbprint, plane.Plane.Ca!.Signer.Thumbprint);
    }

    [Theory]
    [InlineData("a key that is not the certificate's", "{dir}/ca-key.pem is not the private key of {dir}/ca-cert.pem: the two files do not belong together")]
    [InlineData("a key without its certificate", "{dir}/ca-key.pem exists but its certificate {dir}/ca-cert.pem does not: a plug-in CA needs both")]
    [InlineData("a certificate file that is not PEM", "{dir}/ca-cert.pem holds no PEM certificate (\"-----BEGIN CERTIFICATE-----\")")]
    [InlineData("an unreadable key", "{dir}/ca-key.pem holds no PEM private key of the certificate's type")]
    [InlineData("a missing root", "the plug-in CA in {dir} is incomplete: {dir}/root-cert.pem missing")]
    [InlineData("a root that did not sign the intermediate", "{dir}/ca-cert.pem does not chain to a root in {dir}/root-cert.pem through {dir}/cert-chain.pem: ")]
    [InlineData("a certificate that is not a CA", "{dir}/ca-cert.pem: the certificate (CN=Not a CA) is not a CA certificate (basic constraints without CA:TRUE), so it cannot sign")]
    public async Task Broken_cacerts_stop_the_start_with_a_sentence_naming_the_file(string what, string expected)
    {
        using var state = new TempState();
        using var operatorCa = PlugInCa.Create(DateTimeOffset.UtcNow);
        var dir = state.File("ca", "cacerts");
        operatorCa.WriteTo(dir);
        Break(what, dir, operatorCa);

        var error = await Assert.ThrowsAsync<CaException>(() => CaPlane.StartAsync(state.Path));
        Assert.True(error.Message.StartsWith(expected.Replace("{dir}", dir, StringComparison.Ordinal), StringComparison.Ordinal), $"{what}: {error.Message}");
    }

    private static void Break(string what, string dir, PlugInCa ca)
    {
        string File(string name) => Path.Combine(dir, name);
        using var other = PlugInCa.Create(DateTimeOffset.UtcNow, name: "Other");
        switch (what)
        {
            case "a key that is not the certificate's":
                System.IO.File.WriteAllText(File("ca-key.pem"), other.IntermediateKey.ExportPkcs8PrivateKeyPem());
                break;
            case "a key without its certificate":
                System.IO.File.Delete(File("ca-cert.pem"));
                break;
            case "a certificate file that is not PEM":
                System.IO.File.WriteAllText(File("ca-cert.pem"), "not a certificate\n");
                break;
            case "an unreadable key":
                System.IO.File.WriteAllText(File("ca-key.pem"), "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n");
                break;
            case "a missing root":
                System.IO.File.Delete(File("root-cert.pem"));
                break;
            case "a root that did not sign the intermediate":
                System.IO.File.WriteAllText(File("root-cert.pem"), PlugInCa.Pem(other.Root));
                System.IO.File.WriteAllText(File("cert-chain.pem"), PlugInCa.Pem(ca.Intermediate));
                break;
            case "a certificate that is not a CA":
                System.IO.File.WriteAllText(File("ca-cert.pem"), PlugInCa.Pem(NotACa(ca)));
                break;
            default:
                throw new ArgumentException(what, nameof(what));
        }
    }

    [Fact]
    public async Task An_expired_plugged_in_intermediate_is_refused_naming_it()
    {
        using var state = new TempState();
        var clock = CaPlane.Clock();
        using var operatorCa = PlugInCa.Create(clock.GetUtcNow(), intermediateLifetime: TimeSpan.FromDays(30));
        operatorCa.WriteTo(state.File("ca", "cacerts"));
        clock.Advance(TimeSpan.FromDays(30));

        var error = await Assert.ThrowsAsync<CaException>(() => CaPlane.StartAsync(state.Path, clock));
        Assert.StartsWith($"{state.File("ca", "cacerts", "ca-cert.pem")}: the certificate (CN=Operator Intermediate CA, O=example.com) expired on ", error.Message);
    }

    private static X509Certificate2 NotACa(PlugInCa ca)
    {
        var request = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=Not a CA", ca.IntermediateKey, System.Security.Cryptography.HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
    }
}
