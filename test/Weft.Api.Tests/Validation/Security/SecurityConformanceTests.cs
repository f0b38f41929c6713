using System.Globalization;
using Weft.Api.Documents;
using Weft.Api.Loading;
using Weft.Api.Validation;
using Weft.Api.Tests.Corpus;
using Xunit.Abstractions;

namespace Weft.Api.Tests.Validation.Security;

/// <summary>The corpus' validation cases for the security, telemetry and extensions kinds, each decided as Istio decides it.</summary>
public sealed class SecurityConformanceTests(ITestOutputHelper output)
{
    private static bool IsSecurityKind(ValidationCase c) => SecurityValidation.Kinds.Contains(c.Kind);

    public static TheoryData<string> CaseIds() => ValidationCase.Ids(IsSecurityKind);

    [SkippableTheory]
    [MemberData(nameof(CaseIds))]
    public void Case_is_decided_as_istio_decides_it(string id)
    {
        var c = ValidationCase.Get(id);
        var disagreement = SecurityValidation.Disagreement(c);
        if (SecurityValidation.KnownDifferences().TryGetValue(id, out var reason))
        {
            Assert.True(disagreement is not null, $"{id} is listed in known-differences.yaml but Weft now agrees with Istio; remove the entry");
            Skip.If(true, $"known difference: {reason}");
        }

        Assert.True(disagreement is null, $"{id} ({c.Kind}, {c.Reason}): {disagreement}\n---\n{c.Yaml}");
    }

    [SkippableFact]
    public void Agreement_over_the_security_kinds()
    {
        IstioCorpus.Require();
        var cases = ValidationCase.Load().Where(IsSecurityKind).ToList();
        var known = SecurityValidation.KnownDifferences();
        var agreed = 0;
        foreach (var c in cases)
        {
            if (SecurityValidation.Disagreement(c) is { } why)
            {
                output.WriteLine($"DIFFERS {c.Id}: {(known.TryGetValue(c.Id, out var reason) ? "known: " + reason : why)}");
            }
            else
            {
                agreed++;
            }
        }

        var percent = cases.Count == 0 ? 100.0 : 100.0 * agreed / cases.Count;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"agreement for {string.Join(", ", SecurityValidation.Kinds)}: {agreed}/{cases.Count} ({percent:F1}%)"));
        foreach (var kind in SecurityValidation.Kinds)
        {
            var ofKind = cases.Where(c => c.Kind == kind).ToList();
            if (ofKind.Count > 0)
            {
                output.WriteLine($"  {kind}: {ofKind.Count(c => SecurityValidation.Disagreement(c) is null)}/{ofKind.Count}");
            }
        }

        var unexplained = cases.Count(c => !known.ContainsKey(c.Id) && SecurityValidation.Disagreement(c) is not null);
        Assert.Equal(0, unexplained);
    }

    /// <summary>Config istiod loads in its tests, and the samples, raise no semantic error for these kinds.</summary>
    [SkippableFact]
    public void Valid_corpus_documents_have_no_semantic_errors()
    {
        var root = IstioCorpus.Require();
        var checkedCount = 0;
        var failures = new List<string>();
        foreach (var folder in new[] { Path.Combine("validation", "valid", "pilot-test-config"), "samples" })
        {
            foreach (var file in Directory.EnumerateFiles(Path.Combine(root, folder), "*.yaml", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            {
                IReadOnlyList<YamlDocument> documents;
                try
                {
                    documents = YamlReader.Read(File.ReadAllText(file), file);
                }
                catch (YamlLoadException)
                {
                    continue;
                }

                foreach (var document in documents)
                {
                    if (document.Root is not MapNode map || map["kind"] is not ScalarNode { Text: var kind } || !SecurityValidation.Kinds.Contains(kind))
                    {
                        continue;
                    }

                    var resource = ResourceDecoder.Decode(map, new List<Diagnostic>());
                    if (resource is null)
                    {
                        continue;
                    }

                    checkedCount++;
                    var context = SecurityValidation.Run(resource);
                    if (context.HasErrors)
                    {
                        failures.Add($"{Path.GetRelativePath(root, file)} {resource.DisplayName}:\n{context.Describe()}");
                    }
                }
            }
        }

        output.WriteLine($"{checkedCount} documents of these kinds checked");
        Assert.True(checkedCount > 0);
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }
}
