using Weft.Api.Documents;
using Weft.Api.Loading;
using Weft.Api.Model;
using Weft.Api.Tests.Corpus;
using Weft.Api.Validation;

namespace Weft.Api.Tests.Validation.Security;

/// <summary>Decodes one YAML resource and runs its kind's semantic validator.</summary>
internal static class SecurityValidation
{
    public static readonly string[] Kinds =
        ["AuthorizationPolicy", "PeerAuthentication", "RequestAuthentication", "Telemetry", "WasmPlugin", "TrafficExtension"];

    public static Resource Decode(string yaml)
    {
        var root = (MapNode)YamlReader.Read(yaml, "case.yaml").Single().Root!;
        var diagnostics = new List<Diagnostic>();
        return ResourceDecoder.Decode(root, diagnostics) ?? throw new InvalidOperationException(string.Join("; ", diagnostics));
    }

    public static ValidationContext Run(Resource resource)
    {
        var validator = SpecValidators.For(resource.Kind) ?? throw new InvalidOperationException("no validator for " + resource.Kind);
        var context = new ValidationContext(resource);
        validator.Validate(context);
        return context;
    }

    public static ValidationContext Run(string yaml) => Run(Decode(yaml));

    public static IEnumerable<(string Path, string Message)> Errors(this ValidationContext context) =>
        context.Findings.Where(f => f.Severity == Severity.Error).Select(f => (f.Path, f.Message));

    public static IEnumerable<(string Path, string Message)> Warnings(this ValidationContext context) =>
        context.Findings.Where(f => f.Severity == Severity.Warning).Select(f => (f.Path, f.Message));

    public static string Describe(this ValidationContext context) =>
        context.Findings.Count == 0 ? "(no findings)"
            : string.Join("\n", context.Findings.Select(f => $"{f.Severity}: {f.Path}: {f.Message}"));

    public static void AssertError(string yaml, string path, string message)
    {
        var context = Run(yaml);
        Assert.True(
            context.Errors().Any(e => e.Path == path && e.Message.Contains(message, StringComparison.Ordinal)),
            $"expected error at {path} containing \"{message}\", got:\n{context.Describe()}");
    }

    public static void AssertWarning(string yaml, string path, string message)
    {
        var context = Run(yaml);
        Assert.True(
            context.Warnings().Any(e => e.Path == path && e.Message.Contains(message, StringComparison.Ordinal)),
            $"expected warning at {path} containing \"{message}\", got:\n{context.Describe()}");
    }

    public static void AssertValid(string yaml)
    {
        var context = Run(yaml);
        Assert.False(context.HasErrors, context.Describe());
    }

    public static void AssertClean(string yaml)
    {
        var context = Run(yaml);
        Assert.True(context.Findings.Count == 0, context.Describe());
    }

    /// <summary>The ids listed in test/Weft.Api.Tests/Validation/known-differences.yaml, with their reasons.</summary>
    public static IReadOnlyDictionary<string, string> KnownDifferences() => Conformance.KnownDifferences.All;

    /// <summary>Null when Weft decides <paramref name="c"/> as the corpus says, else what differs.</summary>
    public static string? Disagreement(ValidationCase c)
    {
        var context = Run(Decode(c.Yaml));
        var errors = context.Errors().ToList();
        var warnings = context.Warnings().ToList();
        if (c.ExpectValid && errors.Count > 0)
        {
            return "expected valid, got errors:\n" + context.Describe();
        }

        if (!c.ExpectValid && errors.Count == 0)
        {
            return "expected invalid, got no error:\n" + context.Describe();
        }

        if (!c.ExpectValid && c.ErrorContains is { } text
            && !errors.Any(e => e.Message.Contains(text, StringComparison.Ordinal) || $"{e.Path}: {e.Message}".Contains(text, StringComparison.Ordinal)))
        {
            return $"no error contains \"{text}\":\n" + context.Describe();
        }

        if (c.ExpectWarning == true && warnings.Count == 0)
        {
            return "expected a warning, got none:\n" + context.Describe();
        }

        if (c.ExpectWarning == false && warnings.Count > 0)
        {
            return "expected no warning, got:\n" + context.Describe();
        }

        return null;
    }
}
