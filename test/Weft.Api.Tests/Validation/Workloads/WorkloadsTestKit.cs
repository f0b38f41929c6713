using Weft.Api.Documents;
using Weft.Api.Loading;
using Weft.Api.Model.Decoding;
using Weft.Api.Tests.Corpus;
using Weft.Api.Validation;

namespace Weft.Api.Tests.Validation.Workloads;

/// <summary>Decodes YAML and runs the semantic validator of its kind, for the workloads tests.</summary>
internal static class WorkloadsTestKit
{
    public static readonly HashSet<string> Kinds = new(StringComparer.Ordinal)
    {
        "ServiceEntry", "Sidecar", "WorkloadEntry", "WorkloadGroup", "EnvoyFilter", "ProxyConfig",
    };

    private static readonly Dictionary<string, string> ApiVersions = new(StringComparer.Ordinal)
    {
        ["ServiceEntry"] = "networking.istio.io/v1",
        ["Sidecar"] = "networking.istio.io/v1",
        ["WorkloadEntry"] = "networking.istio.io/v1",
        ["WorkloadGroup"] = "networking.istio.io/v1",
        ["EnvoyFilter"] = "networking.istio.io/v1alpha3",
        ["ProxyConfig"] = "networking.istio.io/v1beta1",
    };

    /// <summary>The findings for one YAML document.</summary>
    public static IReadOnlyList<(Severity Severity, string Path, string Message)> Validate(string yaml)
    {
        var root = (MapNode)YamlReader.Read(yaml, "test.yaml").Single().Root!;
        var diagnostics = new List<Diagnostic>();
        var resource = ResourceDecoder.Decode(root, diagnostics) ?? throw new InvalidOperationException(string.Join("; ", diagnostics));
        var validator = SpecValidators.For(resource.Kind) ?? throw new InvalidOperationException("no validator for " + resource.Kind);
        var context = new ValidationContext(resource);
        validator.Validate(context);
        return context.Findings;
    }

    /// <summary>A resource of <paramref name="kind"/> named foo in namespace bar with the given spec (YAML, indented as under "spec:").</summary>
    public static string Document(string kind, string spec, string? metadataExtra = null) =>
        $"apiVersion: {ApiVersions[kind]}\nkind: {kind}\nmetadata:\n  name: foo\n  namespace: bar\n{metadataExtra ?? string.Empty}spec:\n{Indent(spec)}";

    public static IReadOnlyList<(Severity Severity, string Path, string Message)> ValidateSpec(string kind, string spec, string? metadataExtra = null) =>
        Validate(Document(kind, spec, metadataExtra));

    public static IEnumerable<(Severity Severity, string Path, string Message)> Errors(this IReadOnlyList<(Severity Severity, string Path, string Message)> findings) =>
        findings.Where(f => f.Severity == Severity.Error);

    public static IEnumerable<(Severity Severity, string Path, string Message)> Warnings(this IReadOnlyList<(Severity Severity, string Path, string Message)> findings) =>
        findings.Where(f => f.Severity == Severity.Warning);

    public static string Describe(this IReadOnlyList<(Severity Severity, string Path, string Message)> findings) =>
        findings.Count == 0 ? "(no findings)" : string.Join("\n", findings.Select(f => $"{f.Severity}: {f.Path}: {f.Message}"));

    /// <summary>Asserts an error at exactly <paramref name="path"/> whose message contains <paramref name="message"/>.</summary>
    public static void AssertError(this IReadOnlyList<(Severity Severity, string Path, string Message)> findings, string path, string message) =>
        Assert.True(
            findings.Errors().Any(f => f.Path == path && f.Message.Contains(message, StringComparison.Ordinal)),
            $"expected error at {path} containing \"{message}\", got:\n{findings.Describe()}");

    public static void AssertWarning(this IReadOnlyList<(Severity Severity, string Path, string Message)> findings, string path, string message) =>
        Assert.True(
            findings.Warnings().Any(f => f.Path == path && f.Message.Contains(message, StringComparison.Ordinal)),
            $"expected warning at {path} containing \"{message}\", got:\n{findings.Describe()}");

    public static void AssertNoErrors(this IReadOnlyList<(Severity Severity, string Path, string Message)> findings) =>
        Assert.False(findings.Errors().Any(), "expected no errors, got:\n" + findings.Describe());

    public static void AssertClean(this IReadOnlyList<(Severity Severity, string Path, string Message)> findings) =>
        Assert.True(findings.Count == 0, "expected no findings, got:\n" + findings.Describe());

    /// <summary>Case ids that validation/known-differences.yaml lists, with their reasons.</summary>
    public static IReadOnlyDictionary<string, string> KnownDifferences() => Conformance.KnownDifferences.All;

    private static string Indent(string text) =>
        string.Concat(text.Replace("\r\n", "\n", StringComparison.Ordinal).TrimEnd('\n').Split('\n').Select(l => "  " + l + "\n"));
}
