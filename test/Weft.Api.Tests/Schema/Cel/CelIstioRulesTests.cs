using System.Text.RegularExpressions;
using Weft.Api.Documents;
using Weft.Api.Schema;
using Weft.Api.Schema.Cel;
using Weft.Api.Tests.Corpus;
using Xunit.Abstractions;

namespace Weft.Api.Tests.Schema.Cel;

/// <summary>Every CEL rule in Istio's CRDs, and Istio's own accept/reject fixtures for them.</summary>
public sealed class CelIstioRulesTests(ITestOutputHelper output)
{
    private static IReadOnlyList<CrdDefinition> Crds(out string text)
    {
        var path = IstioCorpus.PathOf("crds/istio-crds.yaml");
        text = File.ReadAllText(path);
        return CrdSchemaReader.ReadAll(text, path);
    }

    [SkippableFact]
    public void Every_rule_in_the_istio_crds_compiles()
    {
        var crds = Crds(out var text);
        var evaluator = new CelRuleEvaluator();
        var failures = new List<string>();
        var count = 0;
        foreach (var crd in crds)
        {
            foreach (var version in crd.Versions)
            {
                foreach (var (path, rule) in CelRuleWalker.Rules(version.Schema))
                {
                    count++;
                    if (evaluator.CompileError(rule.Rule) is { } error)
                    {
                        failures.Add($"{crd.Kind}/{version.Name} {path}: {rule.Rule}\n    {error}");
                    }
                }
            }
        }

        Assert.True(failures.Count == 0, "rules that do not compile:\n" + string.Join('\n', failures));

        // The walk must reach every rule the file declares, multi-line ones included.
        var declared = Regex.Count(text, @"^\s*-?\s*rule:", RegexOptions.Multiline);
        Assert.Equal(declared, count);
        Assert.True(count >= 398, $"expected at least 398 rules, found {count}");
        output.WriteLine($"{count} rules compiled");
    }


    [SkippableFact]
    public void Documents_istio_accepts_pass_every_rule()
    {
        var crds = Crds(out _);
        var evaluator = new CelRuleEvaluator();
        var problems = new List<string>();
        var checkedDocuments = 0;
        var accepted = Documents("validation/valid/crd-schema")
            .Concat(Documents("validation/valid/pilot-test-config"))
            .Concat(Documents("samples"));
        foreach (var (file, doc) in accepted)
        {
            if (SchemaFor(crds, doc) is not { } schema)
            {
                continue;
            }

            checkedDocuments++;
            foreach (var result in CelRuleWalker.Apply(evaluator, schema, doc))
            {
                if (result.Outcome.Kind != CelOutcomeKind.Passed)
                {
                    problems.Add($"{file} {Name(doc)}: {result.Message}");
                }
            }
        }

        output.WriteLine($"{checkedDocuments} accepted documents checked");
        Assert.True(checkedDocuments > 30, $"only {checkedDocuments} documents were checked");
        Assert.True(problems.Count == 0, string.Join('\n', problems));
    }

    [SkippableFact]
    public void Documents_istio_rejects_by_a_rule_fail_that_rule_with_its_message()
    {
        var crds = Crds(out _);
        var messages = crds.SelectMany(c => c.Versions)
            .SelectMany(v => CelRuleWalker.Rules(v.Schema))
            .Select(r => r.Rule.Message?.Trim())
            .OfType<string>()
            .Distinct()
            .ToList();
        var evaluator = new CelRuleEvaluator();
        var problems = new List<string>();
        var checkedDocuments = 0;
        foreach (var (file, doc) in Documents("validation/invalid/crd-schema"))
        {
            var expected = ((ScalarNode)doc["_err"]!).Text;

            // Only rejections that come from a CEL rule are this evaluator's business.
            var fromRule = messages.Any(m => expected.Contains(m, StringComparison.Ordinal) || m.Contains(expected, StringComparison.Ordinal))
                || expected.StartsWith("type conversion error", StringComparison.Ordinal);
            if (!fromRule || SchemaFor(crds, doc) is not { } schema)
            {
                continue;
            }

            checkedDocuments++;
            var reported = CelRuleWalker.Apply(evaluator, schema, doc).Where(r => r.Outcome.Kind != CelOutcomeKind.Passed).ToList();
            output.WriteLine($"{Name(doc)} expects \"{expected}\": {string.Join("; ", reported.Select(r => r.Message))}");
            if (!reported.Any(r => r.Message.Contains(expected, StringComparison.Ordinal)))
            {
                problems.Add($"{file} {Name(doc)}: expected \"{expected}\", got [{string.Join("; ", reported.Select(r => r.Message))}]");
            }
        }

        output.WriteLine($"{checkedDocuments} rejected documents checked");
        Assert.True(checkedDocuments >= 30, $"only {checkedDocuments} documents were checked");
        Assert.True(problems.Count == 0, string.Join('\n', problems));
    }

    private static IEnumerable<(string File, MapNode Doc)> Documents(string directory)
    {
        var root = IstioCorpus.PathOf(directory);
        foreach (var file in Directory.GetFiles(root, "*.yaml", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            IReadOnlyList<YamlDocument> docs;
            try
            {
                docs = YamlReader.Read(File.ReadAllText(file), file);
            }
            catch (YamlLoadException)
            {
                // Helm templates and the like among the samples are not plain YAML.
                continue;
            }

            foreach (var doc in docs)
            {
                if (doc.Root is MapNode map)
                {
                    yield return (Path.GetRelativePath(root, file), map);
                }
            }
        }
    }

    private static SchemaNode? SchemaFor(IReadOnlyList<CrdDefinition> crds, MapNode doc)
    {
        if (doc["apiVersion"] is not ScalarNode apiVersion || doc["kind"] is not ScalarNode kind)
        {
            return null;
        }

        var slash = apiVersion.Text.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0)
        {
            return null;
        }

        var group = apiVersion.Text[..slash];
        var version = apiVersion.Text[(slash + 1)..];
        return crds.FirstOrDefault(c => c.Group == group && c.Kind == kind.Text)?.Versions.FirstOrDefault(v => v.Name == version)?.Schema;
    }

    private static string Name(MapNode doc)
    {
        var kind = doc["kind"] is ScalarNode k ? k.Text : "?";
        var name = (doc["metadata"] as MapNode)?["name"] is ScalarNode n ? n.Text : "(unnamed)";
        return kind + "/" + name;
    }
}
