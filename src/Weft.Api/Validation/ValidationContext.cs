using Weft.Api.Model;

namespace Weft.Api.Validation;

/// <summary>
/// Collects what the semantic validators find about one resource. Validators name fields by path
/// (<c>spec.http[0].route[1].weight</c>); the pipeline turns paths into file:line afterwards.
/// </summary>
public sealed class ValidationContext(Resource resource, string rootNamespace = "istio-system")
{
    private readonly List<(Severity Severity, string Path, string Message)> _findings = [];

    public Resource Resource { get; } = resource;

    /// <summary>Istio's root namespace (mesh config rootNamespace), where mesh-wide policy lives.</summary>
    public string RootNamespace { get; } = rootNamespace;

    /// <summary>The namespace Istio validates the resource in: its own, or "default" as istioctl assumes when it has none.</summary>
    internal string ConfigNamespace => Resource.Namespace.Length == 0 ? "default" : Resource.Namespace;

    public IReadOnlyList<(Severity Severity, string Path, string Message)> Findings => _findings;

    public bool HasErrors => _findings.Exists(f => f.Severity == Severity.Error);

    public void Error(string path, string message) => _findings.Add((Severity.Error, path, message));

    public void Warning(string path, string message) => _findings.Add((Severity.Warning, path, message));
}
