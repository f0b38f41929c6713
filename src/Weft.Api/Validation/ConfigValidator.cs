using Weft.Api.Documents;
using Weft.Api.Loading;
using Weft.Api.Model;

namespace Weft.Api.Validation;

/// <summary>
/// Validates configuration as <c>istioctl validate</c> does, plus the API server's schema check: each document is
/// read, matched to its kind, checked against the kind's schema (strict by default) and by Istio's semantic rules.
/// Every finding carries the resource, the field path and file:line; one bad resource never hides another.
/// </summary>
public sealed class ConfigValidator(ValidationOptions? options = null)
{
    private readonly ValidationOptions _options = options ?? ValidationOptions.Default;

    public ValidationReport Validate(IEnumerable<ConfigFile> files)
    {
        var resources = new List<ResourceResult>();
        var fileErrors = new List<Diagnostic>();
        foreach (var file in files)
        {
            ValidateFile(file, resources, fileErrors);
        }

        return new ValidationReport(resources, fileErrors);
    }

    public ValidationReport Validate(string text, string fileName) => Validate([new ConfigFile(fileName, text)]);

    private void ValidateFile(ConfigFile file, List<ResourceResult> resources, List<Diagnostic> fileErrors)
    {
        IReadOnlyList<YamlDocument> documents;
        try
        {
            documents = YamlReader.Read(file.Text, file.Name, _options.Limits);
        }
        catch (YamlLoadException e)
        {
            fileErrors.Add(new Diagnostic(Severity.Error, string.Empty, e.Message, e.Location));
            return;
        }

        foreach (var document in documents)
        {
            switch (document.Root)
            {
                case null:
                    break;
                case MapNode map:
                    ValidateDocument(map, resources);
                    break;
                default:
                    fileErrors.Add(new Diagnostic(Severity.Error, string.Empty, $"document {document.Index + 1} is a {document.Root.TypeName}, not a resource (an object with apiVersion and kind)", document.Location));
                    break;
            }
        }
    }

    private void ValidateDocument(MapNode root, List<ResourceResult> resources)
    {
        if (IsList(root))
        {
            var items = root["items"] as ListNode;
            foreach (var item in items?.Items ?? [])
            {
                if (item is MapNode map)
                {
                    ValidateDocument(map, resources);
                }
            }

            return;
        }

        resources.Add(ValidateResource(root));
    }

    private static bool IsList(MapNode root) =>
        Loading.ResourceDecoderKinds.IsList(root);

    /// <summary>Validates one resource document.</summary>
    public ResourceResult ValidateResource(MapNode root)
    {
        var diagnostics = new List<Diagnostic>();
        var resource = ResourceDecoder.Decode(root, diagnostics);
        var meta = resource?.Metadata ?? ResourceDecoder.ReadMeta(root["metadata"] as MapNode);
        var kindName = (root["kind"] as ScalarNode)?.Text;
        if (resource is null)
        {
            // A kind from outside Istio that Weft does not model (Gateway API, CRDs, RBAC...) is not checked, as istioctl skips it.
            var group = KindRegistry.SplitApiVersion((root["apiVersion"] as ScalarNode)?.Text ?? string.Empty).Group;
            if (diagnostics.TrueForAll(d => d.FieldPath == "kind") && kindName is not null && !group.EndsWith("istio.io", StringComparison.Ordinal) && group.Length > 0)
            {
                return new ResourceResult(kindName, meta.Namespace, meta.Name, root.Location, null, [], Checked: false);
            }

            return new ResourceResult(kindName, meta.Namespace, meta.Name, root.Location, null, diagnostics);
        }

        var kind = KindRegistry.Find(resource.Group, resource.Kind)!;
        var schema = kind.Version(resource.Version)?.Schema?.Invoke();
        if (schema is not null)
        {
            SchemaCheck.Validate(schema, root, _options, resource, diagnostics);
        }

        if (SpecValidators.For(resource.Kind) is { } validator)
        {
            var context = new ValidationContext(resource, _options.RootNamespace);
            validator.Validate(context);
            foreach (var (severity, path, message) in context.Findings)
            {
                diagnostics.Add(new Diagnostic(severity, path, message, PathLocator.Locate(root, path), resource.Kind, resource.Namespace, resource.Name));
            }
        }

        return new ResourceResult(resource.Kind, resource.Namespace, resource.Name, root.Location, resource, Deduplicate(diagnostics));
    }

    /// <summary>Findings in file order (schema and Istio's rules interleaved), each said once.</summary>
    private static List<Diagnostic> Deduplicate(List<Diagnostic> diagnostics)
    {
        var seen = new HashSet<(Severity, string, string)>();
        return diagnostics.Where(d => seen.Add((d.Severity, d.FieldPath, d.Message)))
            .OrderBy(d => d.Location.Line)
            .ThenBy(d => d.Location.Column)
            .ToList();
    }
}
