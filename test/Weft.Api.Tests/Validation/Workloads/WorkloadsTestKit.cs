using Weft.Api.Validation;

namespace Weft.Api.Tests.Validation.Workloads;

/// <summary>Workloads-kind documents for the tests; running and describing them is <see cref="SemanticValidation"/>'s.</summary>
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
    public static IReadOnlyList<(Severity Severity, string Path, string Message)> Validate(string yaml) => SemanticValidation.Run(yaml).Findings;

    /// <summary>A resource of <paramref name="kind"/> named foo in namespace bar with the given spec (YAML, indented as under "spec:").</summary>
    public static string Document(string kind, string spec, string? metadataExtra = null) =>
        $"apiVersion: {ApiVersions[kind]}\nkind: {kind}\nmetadata:\n  name: foo\n  namespace: bar\n{metadataExtra ?? string.Empty}spec:\n{Indent(spec)}";

    public static IReadOnlyList<(Severity Severity, string Path, string Message)> ValidateSpec(string kind, string spec, string? metadataExtra = null) =>
        Validate(Document(kind, spec, metadataExtra));

    private static string Indent(string text) =>
        string.Concat(text.Replace("\r\n", "\n", StringComparison.Ordinal).TrimEnd('\n').Split('\n').Select(l => "  " + l + "\n"));
}
