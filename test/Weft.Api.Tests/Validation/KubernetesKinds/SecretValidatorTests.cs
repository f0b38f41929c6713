using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Weft.Api.Validation;

namespace Weft.Api.Tests.Validation.KubernetesKinds;

public sealed class SecretValidatorTests
{
    private static readonly (string Cert, string Key) Credential = Make("gateway.example.com");
    private static readonly (string Cert, string Key) Other = Make("other.example.com");

    [Fact]
    public void A_tls_secret_with_a_matching_certificate_and_key_is_valid()
    {
        var report = Validate(Tls(Credential.Cert, Credential.Key, ca: Other.Cert));
        Assert.True(report.IsValid, string.Join("\n", report.Resources.SelectMany(r => r.Diagnostics)));
    }

    [Fact]
    public void A_generic_secret_with_cert_key_and_cacert_in_string_data_is_valid()
    {
        var yaml = $"apiVersion: v1\nkind: Secret\nmetadata: {{name: gw, namespace: istio-system}}\ntype: Opaque\nstringData:\n  cert: |\n{Indent(Credential.Cert)}\n  key: |\n{Indent(Credential.Key)}\n  cacert: |\n{Indent(Other.Cert)}\n";
        var report = Validate(yaml);
        Assert.True(report.IsValid, string.Join("\n", report.Resources.SelectMany(r => r.Diagnostics)));
    }

    [Fact]
    public void A_ca_only_secret_is_valid()
    {
        var yaml = $"apiVersion: v1\nkind: Secret\nmetadata: {{name: gw-cacert}}\ndata:\n  ca.crt: {B64(Other.Cert)}\n";
        Assert.True(Validate(yaml).IsValid);
    }

    [Fact]
    public void A_crl_beside_the_ca_must_be_a_revocation_list_and_one_is_valid()
    {
        var crl = "-----BEGIN X509 CRL-----\nMAA=\n-----END X509 CRL-----\n";
        Assert.True(Validate($"apiVersion: v1\nkind: Secret\nmetadata: {{name: gw-cacert}}\ndata:\n  ca.crt: {B64(Other.Cert)}\n  ca.crl: {B64(crl)}\n").IsValid);

        var report = Validate($"apiVersion: v1\nkind: Secret\nmetadata: {{name: gw-cacert}}\ndata:\n  ca.crt: {B64(Other.Cert)}\n  ca.crl: {B64(Other.Cert)}\n");
        var error = Assert.Single(report.Resources.Single().Errors);
        Assert.Equal("data[ca.crl]", error.FieldPath);
        Assert.Contains("without an \"X509 CRL\" block", error.Message, StringComparison.Ordinal);

        // A generic secret's CRL is "crl", beside "cacert".
        var generic = Validate($"apiVersion: v1\nkind: Secret\nmetadata: {{name: gw-cacert}}\ndata:\n  cacert: {B64(Other.Cert)}\n  crl: {B64("not a list")}\n");
        Assert.Equal("data[crl]", Assert.Single(generic.Resources.Single().Errors).FieldPath);
    }

    [Fact]
    public void Data_that_is_not_base64_is_an_error_at_its_line()
    {
        var yaml = $"apiVersion: v1\nkind: Secret\nmetadata: {{name: gw}}\ntype: kubernetes.io/tls\ndata:\n  tls.crt: {B64(Credential.Cert)}\n  tls.key: not*base64!\n";
        var report = Validate(yaml);
        var error = Assert.Single(report.Resources.Single().Errors);
        Assert.Equal("data[tls.key]", error.FieldPath);
        Assert.Equal(7, error.Location.Line);
        Assert.Contains("not valid base64", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_certificate_that_is_not_pem_is_an_error()
    {
        var report = Validate(Tls("hello", Credential.Key));
        var error = Assert.Single(report.Resources.Single().Errors);
        Assert.Equal("data[tls.crt]", error.FieldPath);
        Assert.Contains("no PEM certificate", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_corrupt_certificate_block_is_an_error()
    {
        var report = Validate(Tls("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", Credential.Key));
        Assert.Contains(report.Resources.Single().Errors, e => e.FieldPath == "data[tls.crt]" && e.Message.Contains("does not parse", StringComparison.Ordinal));
    }

    [Fact]
    public void A_key_of_another_certificate_is_an_error_that_does_not_quote_the_key()
    {
        var report = Validate(Tls(Credential.Cert, Other.Key));
        var error = Assert.Single(report.Resources.Single().Errors);
        Assert.Equal("data[tls.key]", error.FieldPath);
        Assert.Contains("is not the private key of the certificate", error.Message, StringComparison.Ordinal);
        var everything = string.Join("\n", report.Resources.Single().Diagnostics.Select(d => d.ToString()));
        Assert.DoesNotContain(KeyBody(Other.Key), everything, StringComparison.Ordinal);
        Assert.DoesNotContain(B64(Other.Key), everything, StringComparison.Ordinal);
    }

    [Fact]
    public void A_key_that_does_not_parse_is_an_error()
    {
        var report = Validate(Tls(Credential.Cert, "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"));
        Assert.Contains(report.Resources.Single().Errors, e => e.FieldPath == "data[tls.key]" && e.Message.Contains("does not parse", StringComparison.Ordinal));
    }

    [Fact]
    public void A_tls_secret_needs_both_keys()
    {
        var yaml = $"apiVersion: v1\nkind: Secret\nmetadata: {{name: gw}}\ntype: kubernetes.io/tls\ndata:\n  tls.crt: {B64(Credential.Cert)}\n";
        var error = Assert.Single(Validate(yaml).Resources.Single().Errors);
        Assert.Equal("data[tls.key]", error.FieldPath);
    }

    [Fact]
    public void A_generic_certificate_without_its_key_is_an_error()
    {
        var yaml = $"apiVersion: v1\nkind: Secret\nmetadata: {{name: gw}}\ndata:\n  cert: {B64(Credential.Cert)}\n";
        var error = Assert.Single(Validate(yaml).Resources.Single().Errors);
        Assert.Equal("data[cert]", error.FieldPath);
        Assert.Contains("has no key beside it", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Secrets_that_hold_no_credential_are_not_looked_into()
    {
        var yaml = "apiVersion: v1\nkind: Secret\nmetadata: {name: db}\nstringData: {password: hunter2}\n";
        Assert.True(Validate(yaml).IsValid);
    }

    private static ValidationReport Validate(string yaml) => new ConfigValidator().Validate(yaml, "secret.yaml");

    private static string Tls(string cert, string key, string? ca = null) =>
        $"apiVersion: v1\nkind: Secret\nmetadata: {{name: gw, namespace: istio-system}}\ntype: kubernetes.io/tls\ndata:\n  tls.crt: {B64(cert)}\n  tls.key: {B64(key)}\n"
        + (ca is null ? string.Empty : $"  ca.crt: {B64(ca)}\n");

    private static string B64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));

    private static string Indent(string pem) => string.Join("\n", pem.TrimEnd('\n').Split('\n').Select(l => "    " + l));

    private static string KeyBody(string pem) => pem.Split('\n')[1];

    private static (string Cert, string Key) Make(string host)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={host}", key, HashAlgorithmName.SHA256);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        return (certificate.ExportCertificatePem() + "\n", key.ExportPkcs8PrivateKeyPem() + "\n");
    }
}
