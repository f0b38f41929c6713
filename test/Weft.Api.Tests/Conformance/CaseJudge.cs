using Weft.Api.Tests.Corpus;
using Weft.Api.Validation;

namespace Weft.Api.Tests.Conformance;

/// <summary>Runs one validation case through the whole pipeline and says whether Weft decides it as Istio does.</summary>
internal static class CaseJudge
{
    public static (bool Agrees, string Why, IReadOnlyList<Diagnostic> Diagnostics) Judge(ValidationCase c)
    {
        var report = new ConfigValidator().Validate(c.Yaml, c.Id + ".yaml");
        var diagnostics = report.AllDiagnostics.ToList();
        var errors = diagnostics.Where(d => d.Severity == Severity.Error).ToList();
        var warnings = diagnostics.Count(d => d.Severity == Severity.Warning);
        var known = KnownDifferences.Contains(c.Id);
        var expectValid = c.ExpectValid ^ known;

        if (expectValid != (errors.Count == 0))
        {
            return (false, $"expected {(expectValid ? "valid" : "invalid")}, got {errors.Count} error(s): {string.Join(" | ", errors.Select(e => e.Detail))}", diagnostics);
        }

        if (!known && !expectValid && c.ErrorContains is { } text
            && !errors.Any(e => e.Detail.Contains(text, StringComparison.Ordinal)))
        {
            return (false, $"no error contains \"{text}\": {string.Join(" | ", errors.Select(e => e.Detail))}", diagnostics);
        }

        if (!known && c.ExpectWarning is { } warn && warn != (warnings > 0))
        {
            return (false, warn ? "expected a warning, got none" : $"expected no warning, got {warnings}", diagnostics);
        }

        var unlocated = diagnostics.FirstOrDefault(d => !d.Location.IsKnown);
        return unlocated is null ? (true, "agrees", diagnostics) : (false, $"no file:line for: {unlocated}", diagnostics);
    }
}
