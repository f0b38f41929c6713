namespace Weft.Api.Validation;

/// <summary>Everything one validation run found: per-resource results plus problems with whole files.</summary>
public sealed record ValidationReport(IReadOnlyList<ResourceResult> Resources, IReadOnlyList<Diagnostic> FileErrors)
{
    public bool IsValid => FileErrors.Count == 0 && Resources.All(r => r.IsValid);

    public IEnumerable<Diagnostic> AllDiagnostics => FileErrors.Concat(Resources.SelectMany(r => r.Diagnostics));

    public int ErrorCount => AllDiagnostics.Count(d => d.Severity == Severity.Error);

    public int WarningCount => AllDiagnostics.Count(d => d.Severity == Severity.Warning);
}
