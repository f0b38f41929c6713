using Weft.Api.Documents;
using Weft.Api.Loading;
using Weft.Api.Validation;

namespace Weft.Api.Tests.Validation.Traffic;

/// <summary>Runs Weft's semantic validator for one YAML resource and splits what it finds.</summary>
internal static class TrafficValidation
{
    public sealed record Outcome(IReadOnlyList<(string Path, string Message)> Errors, IReadOnlyList<(string Path, string Message)> Warnings)
    {
        public bool Valid => Errors.Count == 0;

        public bool HasError(string path, string messagePart) =>
            Errors.Any(e => e.Path == path && e.Message.Contains(messagePart, StringComparison.Ordinal));

        public bool HasWarning(string path, string messagePart) =>
            Warnings.Any(w => w.Path == path && w.Message.Contains(messagePart, StringComparison.Ordinal));

        public override string ToString() =>
            string.Join("\n", Errors.Select(e => $"error {e.Path}: {e.Message}").Concat(Warnings.Select(w => $"warning {w.Path}: {w.Message}")));
    }

    /// <summary>Asserts an error at <paramref name="path"/> whose message contains <paramref name="messagePart"/>.</summary>
    public static void AssertError(Outcome outcome, string path, string messagePart) =>
        Assert.True(outcome.HasError(path, messagePart), $"expected error at {path} containing \"{messagePart}\", got:\n{outcome}");

    public static void AssertWarning(Outcome outcome, string path, string messagePart) =>
        Assert.True(outcome.HasWarning(path, messagePart), $"expected warning at {path} containing \"{messagePart}\", got:\n{outcome}");

    public static void AssertClean(Outcome outcome) =>
        Assert.True(outcome.Errors.Count == 0 && outcome.Warnings.Count == 0, $"expected no findings, got:\n{outcome}");

    public static Outcome Run(string yaml)
    {
        var root = (MapNode)YamlReader.Read(yaml, "case.yaml").Single().Root!;
        var diagnostics = new List<Diagnostic>();
        var resource = ResourceDecoder.Decode(root, diagnostics) ?? throw new InvalidOperationException("not a resource: " + string.Join("; ", diagnostics));
        var validator = SpecValidators.For(resource.Kind) ?? throw new InvalidOperationException("no validator for " + resource.Kind);
        var context = new ValidationContext(resource);
        validator.Validate(context);
        var errors = context.Findings.Where(f => f.Severity == Severity.Error).Select(f => (f.Path, f.Message)).ToList();
        var warnings = context.Findings.Where(f => f.Severity == Severity.Warning).Select(f => (f.Path, f.Message)).ToList();
        return new Outcome(errors, warnings);
    }

    /// <summary>A VirtualService in namespace "bar" with the given spec (YAML indented by two spaces).</summary>
    public static Outcome VirtualService(string spec) => Run(Wrap("VirtualService", spec));

    public static Outcome DestinationRule(string spec) => Run(Wrap("DestinationRule", spec));

    public static Outcome Gateway(string spec) => Run(Wrap("Gateway", spec));

    private static string Wrap(string kind, string spec) =>
        $"apiVersion: networking.istio.io/v1\nkind: {kind}\nmetadata:\n  name: foo\n  namespace: bar\nspec:\n{spec}";
}
