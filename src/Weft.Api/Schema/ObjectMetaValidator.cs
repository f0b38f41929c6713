using System.Globalization;
using System.Text;
using Weft.Api.Documents;
using Weft.Api.GoCompat;

namespace Weft.Api.Schema;

/// <summary>
/// Checks <c>metadata</c> as the API server does for any object (ValidateObjectMetaAccessor): field types and
/// unknown fields first, then names, namespace, labels, annotations, finalizers, owner references and managed
/// fields. The namespace is not required: offline, it comes from the command line, not the file.
/// </summary>
internal static class ObjectMetaValidator
{
    private const int AnnotationsLimit = 256 * 1024;

    public static void Validate(OpenApiWalker walker, MapNode resource)
    {
        var found = resource.TryGet("metadata", out var meta);
        walker.Path.PushField("metadata");
        if (found)
        {
            walker.Validate(ObjectMetaSchema.Instance, meta, walker.Run.Metadata, primary: true);
        }

        walker.Path.Pop();
        if (!found || meta is MapNode || meta is ScalarNode { IsNull: true })
        {
            new Checks(walker.Run.Metadata, meta as MapNode, found ? meta.Location : resource.Location).Run();
        }
    }

    private sealed class Checks(List<Finding> sink, MapNode? meta, SourceLocation where)
    {
        public void Run()
        {
            CheckNames();
            if (meta is null)
            {
                return;
            }

            if (Text("namespace", out var ns) is { Length: > 0 } namespaceValue)
            {
                Each(KubeNames.Namespace(namespaceValue), "metadata.namespace", namespaceValue, ns!);
            }

            if (meta["generation"] is { } generation && JsonValue.Of(generation) is { Kind: JsonKind.Integer, Integer: < 0 } g)
            {
                Report("metadata.generation", ApiErrors.Invalid(ApiValueText.BadValue(g), "must be greater than or equal to 0"), generation);
            }

            CheckLabels();
            CheckAnnotations();
            CheckFinalizers();
            CheckOwnerReferences();
            CheckManagedFields();
        }

        private void CheckNames()
        {
            var generateName = Text("generateName", out var generateNode);
            if (!string.IsNullOrEmpty(generateName))
            {
                Each(KubeNames.ObjectName(generateName, prefix: true), "metadata.generateName", generateName, generateNode!);
            }

            var name = Text("name", out var nameNode);
            if (!string.IsNullOrEmpty(name))
            {
                Each(KubeNames.ObjectName(name, prefix: false), "metadata.name", name, nameNode!);
            }
            else if (string.IsNullOrEmpty(generateName) && (nameNode is null || name is not null || nameNode is ScalarNode { IsNull: true }))
            {
                // On create the server fills name from generateName before validating, so either will do.
                Report("metadata.name", ApiErrors.Required("name or generateName is required"), nameNode?.Location ?? where, blocking: true);
            }
        }

        private void CheckLabels()
        {
            if (meta!["labels"] is not MapNode labels)
            {
                return;
            }

            for (var i = 0; i < labels.Count; i++)
            {
                var entry = labels.Entries[i];
                Each(KubeNames.QualifiedName(entry.Key), "metadata.labels", entry.Key, entry.KeyLocation);
                if (JsonValue.Of(entry.Value) is { Kind: JsonKind.String } value)
                {
                    Each(KubeNames.LabelValue(value.Text), "metadata.labels", value.Text, entry.Value.Location);
                }
            }
        }

        private void CheckAnnotations()
        {
            if (meta!["annotations"] is not MapNode annotations)
            {
                return;
            }

            long size = 0;
            for (var i = 0; i < annotations.Count; i++)
            {
                var entry = annotations.Entries[i];
                // Annotation keys follow the label-key rule without regard to case.
                Each(KubeNames.QualifiedName(entry.Key.ToLowerInvariant()), "metadata.annotations", entry.Key, entry.KeyLocation);
                size += Encoding.UTF8.GetByteCount(entry.Key);
                if (JsonValue.Of(entry.Value) is { Kind: JsonKind.String } value)
                {
                    size += Encoding.UTF8.GetByteCount(value.Text);
                }
            }

            if (size > AnnotationsLimit)
            {
                Report("metadata.annotations", ApiErrors.TooLong(AnnotationsLimit), annotations, blocking: true);
            }
        }

        private void CheckFinalizers()
        {
            if (meta!["finalizers"] is not ListNode finalizers)
            {
                return;
            }

            bool orphan = false, foreground = false;
            for (var i = 0; i < finalizers.Count; i++)
            {
                var item = finalizers.Items[i];
                if (JsonValue.Of(item) is { Kind: JsonKind.String } value)
                {
                    Each(KubeNames.QualifiedName(value.Text), "metadata.finalizers", value.Text, item.Location);
                    orphan |= value.Text == "orphan";
                    foreground |= value.Text == "foregroundDeletion";
                }
            }

            if (orphan && foreground)
            {
                Report("metadata.finalizers", ApiErrors.Invalid(ApiValueText.Json(finalizers), "finalizer orphan and foregroundDeletion cannot be both set"), finalizers);
            }
        }

        private void CheckOwnerReferences()
        {
            if (meta!["ownerReferences"] is not ListNode references)
            {
                return;
            }

            string? firstController = null;
            for (var i = 0; i < references.Count; i++)
            {
                if (references.Items[i] is not MapNode reference)
                {
                    continue;
                }

                var at = "metadata.ownerReferences[" + i.ToString(CultureInfo.InvariantCulture) + "].";
                var apiVersion = Field(reference, "apiVersion");
                if (apiVersion.Length == 0)
                {
                    Report(at + "apiVersion", ApiErrors.Required("must not be empty"), reference, blocking: true);
                }
                else if (apiVersion.Count(c => c == '/') > 1 || apiVersion.EndsWith('/'))
                {
                    Report(at + "apiVersion", ApiErrors.Invalid(GoStrconv.Quote(apiVersion), "must be <group>/<version> or <version>"), reference);
                }

                foreach (var required in (ReadOnlySpan<string>)["kind", "name", "uid"])
                {
                    if (Field(reference, required).Length == 0)
                    {
                        Report(at + required, ApiErrors.Required("must not be empty"), reference, blocking: true);
                    }
                }

                if (reference["controller"] is ScalarNode { Kind: ScalarKind.Bool } controller && controller.AsBool())
                {
                    var current = Field(reference, "kind") + "/" + Field(reference, "name");
                    if (firstController is null)
                    {
                        firstController = current;
                    }
                    else
                    {
                        Report(
                            "metadata.ownerReferences",
                            ApiErrors.Invalid(ApiValueText.Json(references), $"Only one reference can have Controller set to true. Found \"true\" in references for {firstController} and {current}"),
                            reference);
                    }
                }
            }
        }

        private void CheckManagedFields()
        {
            if (meta!["managedFields"] is not ListNode entries)
            {
                return;
            }

            for (var i = 0; i < entries.Count; i++)
            {
                if (entries.Items[i] is not MapNode entry)
                {
                    continue;
                }

                var at = "metadata.managedFields[" + i.ToString(CultureInfo.InvariantCulture) + "].";
                var operation = Field(entry, "operation");
                if (operation.Length == 0)
                {
                    Report(at + "operation", ApiErrors.Required("must not be empty"), entry, blocking: true);
                }
                else if (operation is not ("Apply" or "Update"))
                {
                    Report(at + "operation", ApiErrors.NotSupported(GoStrconv.Quote(operation), ["Apply", "Update"]), entry, blocking: true);
                }

                var fieldsType = Field(entry, "fieldsType");
                if (fieldsType.Length > 0 && fieldsType != "FieldsV1")
                {
                    Report(at + "fieldsType", ApiErrors.Invalid(GoStrconv.Quote(fieldsType), "must be `FieldsV1`"), entry);
                }
            }
        }

        /// <summary>The string value of a metadata field, or null when it is absent, null or not a string.</summary>
        private string? Text(string field, out Node? node)
        {
            node = meta?[field];
            return node is not null && JsonValue.Of(node) is { Kind: JsonKind.String } value ? value.Text : null;
        }

        // A missing, null or non-string field decodes to "" in Go (a wrong type is reported by the schema check).
        private static string Field(MapNode map, string field) =>
            map[field] is { } node && JsonValue.Of(node) is { Kind: JsonKind.String } value ? value.Text : string.Empty;

        private void Each(List<string>? messages, string path, string badValue, Node at) => Each(messages, path, badValue, at.Location);

        private void Each(List<string>? messages, string path, string badValue, SourceLocation at)
        {
            if (messages is null)
            {
                return;
            }

            foreach (var message in messages)
            {
                ValidationRun.Report(sink, path, ApiErrors.Invalid(GoStrconv.Quote(badValue), message), at);
            }
        }

        private void Report(string path, string message, Node at, bool blocking = false) => Report(path, message, at.Location, blocking);

        private void Report(string path, string message, SourceLocation at, bool blocking = false) =>
            ValidationRun.Report(sink, path, message, at, blocking);
    }
}
