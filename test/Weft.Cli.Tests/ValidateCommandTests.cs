using System.Text.Json;
using Weft.Api.Documents;
using Weft.Cli.Tests.Support;

namespace Weft.Cli.Tests;

public sealed class ValidateCommandTests : IDisposable
{
    private const string NegativeWeight = """
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata:
          name: reviews
          namespace: default
        spec:
          hosts:
          - reviews
          http:
          - route:
            - destination:
                host: reviews
                subset: v1
              weight: 75
            - destination:
                host: reviews
                subset: v2
              weight: -15
        """;

    private readonly string _dir = Directory.CreateTempSubdirectory("weft-cli-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string name, string text)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void Canary_example_is_valid()
    {
        var run = CliRun.Of(["validate", "-f", Path.Combine(CliRun.RepositoryRoot, "examples", "canary")]);
        Assert.Equal(0, run.ExitCode);
        Assert.Contains("validation succeeded: 6 resources valid", run.Stdout);
        Assert.Equal(string.Empty, run.Stderr);
    }

    [Fact]
    public void Broken_document_fails_naming_file_line_resource_and_field()
    {
        var file = Write("bad.yaml", NegativeWeight);
        var run = CliRun.Of(["validate", "-f", file]);
        Assert.Equal(1, run.ExitCode);
        Assert.Contains($"{file}:18:", run.Stderr);
        Assert.Contains("VirtualService default/reviews: spec.http[0].route[1].weight", run.Stderr);
        Assert.Contains("validation failed", run.Stdout);
    }

    [Fact]
    public void Unknown_field_is_rejected_by_default_and_accepted_when_lenient()
    {
        var file = Write("unknown.yaml", """
            apiVersion: networking.istio.io/v1
            kind: DestinationRule
            metadata:
              name: reviews
            spec:
              host: reviews
              trafficPolcy: {}
            """);
        var strict = CliRun.Of(["validate", "-f", file]);
        Assert.Equal(1, strict.ExitCode);
        Assert.Contains("spec.trafficPolcy", strict.Stderr);
        Assert.Contains($"{file}:7:", strict.Stderr);

        var lenient = CliRun.Of(["validate", "--lenient", "-f", file]);
        Assert.Equal(0, lenient.ExitCode);
    }

    [Fact]
    public void Reads_standard_input_for_dash()
    {
        var run = CliRun.Of(["validate", "-f", "-"], NegativeWeight);
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("-:18:", run.Stderr);
    }

    [Fact]
    public void Several_files_report_every_error_at_once()
    {
        var bad1 = Write("a.yaml", NegativeWeight);
        var bad2 = Write("b.yaml", "apiVersion: networking.istio.io/v1\nkind: Gateway\nmetadata:\n  name: gw\nspec:\n  servers: []\n  selector: {}\n  bogus: 1\n");
        var run = CliRun.Of(["validate", "-f", bad1, bad2]);
        Assert.Equal(1, run.ExitCode);
        Assert.Contains(bad1 + ":", run.Stderr);
        Assert.Contains(bad2 + ":8:", run.Stderr);
    }

    [Fact]
    public void Json_output_carries_field_file_and_line()
    {
        var file = Write("bad.yaml", NegativeWeight);
        var run = CliRun.Of(["validate", "-f", file, "-o", "json"]);
        Assert.Equal(1, run.ExitCode);
        using var json = JsonDocument.Parse(run.Stdout);
        Assert.False(json.RootElement.GetProperty("valid").GetBoolean());
        var resource = json.RootElement.GetProperty("resources")[0];
        Assert.Equal("VirtualService", resource.GetProperty("kind").GetString());
        var error = resource.GetProperty("errors").EnumerateArray().First(e => e.GetProperty("field").GetString() == "spec.http[0].route[1].weight");
        Assert.Equal(file, error.GetProperty("file").GetString());
        Assert.Equal(18, error.GetProperty("line").GetInt32());
    }

    [Fact]
    public void Yaml_output_is_yaml_with_the_same_fields()
    {
        var file = Write("bad.yaml", NegativeWeight);
        var run = CliRun.Of(["validate", "-f", file, "-o", "yaml"]);
        Assert.Equal(1, run.ExitCode);
        var root = (MapNode)YamlReader.Read(run.Stdout, "out.yaml").Single().Root!;
        Assert.Equal("false", ((ScalarNode)root["valid"]!).Text);
        var resource = (MapNode)((ListNode)root["resources"]!).Items[0];
        var errors = (ListNode)resource["errors"]!;
        Assert.Contains(errors.Items.Cast<MapNode>(), e => ((ScalarNode)e["field"]!).Text == "spec.http[0].route[1].weight");
    }

    [Fact]
    public void Unreadable_yaml_names_the_file_and_line()
    {
        var file = Write("broken.yaml", "apiVersion: v1\nkind: [Service\n");
        var run = CliRun.Of(["validate", "-f", file]);
        Assert.Equal(1, run.ExitCode);
        Assert.Matches($@"{System.Text.RegularExpressions.Regex.Escape(file)}:\d+: invalid YAML", run.Stderr);
    }

    [Fact]
    public void Missing_file_is_one_sentence_and_non_zero()
    {
        var run = CliRun.Of(["validate", "-f", Path.Combine(_dir, "nope.yaml")]);
        Assert.Equal(1, run.ExitCode);
        Assert.Single(run.Stderr.TrimEnd().Split('\n'));
        Assert.Contains("no such file or directory", run.Stderr);
    }

    [Fact]
    public void A_secret_whose_key_is_not_its_certificates_fails_at_its_line_without_printing_the_key()
    {
        using var certificateKey = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        using var otherKey = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        var request = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=gw.example.com", certificateKey, System.Security.Cryptography.HashAlgorithmName.SHA256);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        var key = otherKey.ExportPkcs8PrivateKeyPem();
        static string B64(string text) => Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(text));
        var file = Write("secret.yaml", $"apiVersion: v1\nkind: Secret\nmetadata:\n  name: gw-cred\n  namespace: istio-system\ntype: kubernetes.io/tls\ndata:\n  tls.crt: {B64(certificate.ExportCertificatePem())}\n  tls.key: {B64(key)}\n");

        var run = CliRun.Of(["validate", "-f", file]);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains($"{file}:9:", run.Stderr);
        Assert.Contains("Secret istio-system/gw-cred: data[tls.key]: is not the private key of the certificate", run.Stderr);
        Assert.DoesNotContain(key.Split('\n')[1], run.Stderr + run.Stdout);
        Assert.DoesNotContain(B64(key)[..40], run.Stderr + run.Stdout);
    }
}
