using Weft.Api.Validation;

namespace Weft.Api.Tests.Validation.Traffic;

/// <summary>Traffic-kind documents for the tests, and what Weft's semantic validator finds in one, split by severity.</summary>
internal static class TrafficValidation
{
    public sealed record Outcome(IReadOnlyList<(Severity Severity, string Path, string Message)> Findings)
    {
        public IReadOnlyList<(string Path, string Message)> Errors { get; } = Findings.Errors().Select(f => (f.Path, f.Message)).ToList();

        public IReadOnlyList<(string Path, string Message)> Warnings { get; } = Findings.Warnings().Select(f => (f.Path, f.Message)).ToList();

        public bool Valid => Errors.Count == 0;

        public override string ToString() => Findings.Describe();
    }

    /// <summary>Asserts an error at <paramref name="path"/> whose message contains <paramref name="messagePart"/>.</summary>
    public static void AssertError(Outcome outcome, string path, string messagePart) => outcome.Findings.AssertError(path, messagePart);

    public static void AssertWarning(Outcome outcome, string path, string messagePart) => outcome.Findings.AssertWarning(path, messagePart);

    public static void AssertClean(Outcome outcome) => outcome.Findings.AssertClean();

    public static Outcome Run(string yaml) => new(SemanticValidation.Run(yaml).Findings);

    /// <summary>A VirtualService in namespace "bar" with the given spec (YAML indented by two spaces).</summary>
    public static Outcome VirtualService(string spec) => Run(Wrap("VirtualService", spec));

    public static Outcome DestinationRule(string spec) => Run(Wrap("DestinationRule", spec));

    public static Outcome Gateway(string spec) => Run(Wrap("Gateway", spec));

    private static string Wrap(string kind, string spec) =>
        $"apiVersion: networking.istio.io/v1\nkind: {kind}\nmetadata:\n  name: foo\n  namespace: bar\nspec:\n{spec}";
}
