using Weft.Api.Documents;
using Weft.Api.Model;

namespace Weft.Api.Validation;

/// <summary>The outcome for one document: the resource (when it could be decoded) and everything found about it.</summary>
public sealed record ResourceResult(
    string? Kind,
    string? Namespace,
    string? Name,
    SourceLocation Location,
    Resource? Resource,
    IReadOnlyList<Diagnostic> Diagnostics,
    bool Checked = true)
{
    public bool IsValid => !Diagnostics.Any(d => d.Severity == Severity.Error);

    public IEnumerable<Diagnostic> Errors => Diagnostics.Where(d => d.Severity == Severity.Error);

    public IEnumerable<Diagnostic> Warnings => Diagnostics.Where(d => d.Severity == Severity.Warning);
}
