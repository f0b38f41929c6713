using Weft.Api.Documents;
using Weft.Api.Loading;
using Weft.Api.Model;
using Weft.Api.Tests.Corpus;
using Weft.Api.Validation;

namespace Weft.Api.Tests.Validation;

/// <summary>
/// Decodes one YAML resource, runs its kind's semantic validator (as Istio's webhook would) and describes what it
/// found; the area test kits and conformance tests build on this.
/// </summary>
internal static class SemanticValidation
{
    public static Resource Decode(string yaml)
    {
        var root = (MapNode)YamlReader.Read(yaml, "case.yaml").Single().Root!;
        var diagnostics = new List<Diagnostic>();
        return ResourceDecoder.Decode(root, diagnostics) ?? throw new InvalidOperationException("not a resource: " + string.Join("; ", diagnostics));
    }

    public static ValidationContext Run(Resource resource)
    {
        var validator = SpecValidators.For(resource.Kind) ?? throw new InvalidOperationException("no validator for " + resource.Kind);
        var context = new ValidationContext(resource);
        validator.Validate(context);
        return context;
    }

    public static ValidationContext Run(string yaml) => Run(Decode(yaml));

    public static IEnumerable<(Severity Severity, string Path, string Message)> Errors(this IReadOnlyList<(Severity Severity, string Path, string Message)> findings) =>
        findings.Where(f => f.Severity == Severity.Error);

    public static IEnumerable<(Severity Severity, string Path, string Message)> Warnings(this IReadOnlyList<(Severity Severity, string Path, string Message)> findings) =>
        findings.Where(f => f.Severity == Severity.Warning);

    public static IEnumerable<(string Path, string Message)> Errors(this ValidationContext context) =>
        context.Findings.Errors().Select(f => (f.Path, f.Message));

    public static IEnumerable<(string Path, string Message)> Warnings(this ValidationContext context) =>
        context.Findings.Warnings().Select(f => (f.Path, f.Message));

    public static string Describe(this IReadOnlyList<(Severity Severity, string Path, string Message)> findings) =>
        findings.Count == 0 ? "(no findings)" : string.Join("\n", findings.Select(f => $"{f.Severity}: {f.Path}: {f.Message}"));

    public static string Describe(this ValidationContext context) => context.Findings.Describe();

    public static bool HasError(this IReadOnlyList<(Severity Severity, string Path, string Message)> findings, string path, string messagePart) =>
        findings.Errors().Any(f => f.Path == path && f.Message.Contains(messagePart, StringComparison.Ordinal));

    public static bool HasWarning(this IReadOnlyList<(Severity Severity, string Path, string Message)> findings, string path, string messagePart) =>
        findings.Warnings().Any(f => f.Path == path && f.Message.Contains(messagePart, StringComparison.Ordinal));

    /// <summary>Asserts an error at exactly <paramref name="path"/> whose message contains <paramref name="messagePart"/>.</summary>
    public static void AssertError(this IReadOnlyList<(Severity Severity, string Path, string Message)> findings, string path, string messagePart) =>
        Assert.True(findings.HasError(path, messagePart), $"expected error at {path} containing \"{messagePart}\", got:\n{findings.Describe()}");

    public static void AssertWarning(this IReadOnlyList<(Severity Severity, string Path, string Message)> findings, string path, string messagePart) =>
        Assert.True(findings.HasWarning(path, messagePart), $"expected warning at {path} containing \"{messagePart}\", got:\n{findings.Describe()}");

    public static void AssertNoErrors(this IReadOnlyList<(Severity Severity, string Path, string Message)> findings) =>
        Assert.False(findings.Errors().Any(), "expected no errors, got:\n" + findings.Describe());

    public static void AssertClean(this IReadOnlyList<(Severity Severity, string Path, string Message)> findings) =>
        Assert.True(findings.Count == 0, "expected no findings, got:\n" + findings.Describe());

    /// <summary>Case ids that validation/known-differences.yaml lists, with their reasons.</summary>
    public static IReadOnlyDictionary<string, string> KnownDifferences() => Conformance.KnownDifferences.All;

    /// <summary>Null when Weft's semantic rules decide <paramref name="c"/> as Istio does, else what differs.</summary>
    public static string? Disagreement(ValidationCase c) => Disagreement(c, Run(c.Yaml).Findings);

    public static string? Disagreement(ValidationCase c, IReadOnlyList<(Severity Severity, string Path, string Message)> findings)
    {
        var errors = findings.Errors().ToList();
        if (c.ExpectValid && errors.Count > 0)
        {
            return "expected valid, got errors:\n" + findings.Describe();
        }

        if (!c.ExpectValid && errors.Count == 0)
        {
            return "expected invalid, got no error:\n" + findings.Describe();
        }

        if (!c.ExpectValid && c.ErrorContains is { } text
            && !errors.Any(e => e.Message.Contains(text, StringComparison.Ordinal) || $"{e.Path}: {e.Message}".Contains(text, StringComparison.Ordinal)))
        {
            return $"no error contains \"{text}\":\n" + findings.Describe();
        }

        var warnings = findings.Warnings().Any();
        if (c.ExpectWarning == true && !warnings)
        {
            return "expected a warning, got none:\n" + findings.Describe();
        }

        if (c.ExpectWarning == false && warnings)
        {
            return "expected no warning, got:\n" + findings.Describe();
        }

        return null;
    }
}
