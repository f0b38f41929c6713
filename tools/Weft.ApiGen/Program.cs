using Weft.Api.Schema;
using Weft.ApiGen;

// Generates Weft.Api's schema tables and typed models from Istio's CRDs. Only facts are carried over
// (field names, types, enums, bounds, patterns, required fields and CEL rules); descriptions are not.
//   dotnet run --project tools/Weft.ApiGen -- ../shared/istio-corpus/crds/istio-crds.yaml src/Weft.Api
if (args.Length != 2)
{
    Console.Error.WriteLine("usage: Weft.ApiGen CRD_YAML WEFT_API_DIR");
    return 2;
}

var crds = CrdSchemaReader.ReadAll(File.ReadAllText(args[0]), args[0])
    .OrderBy(c => c.Group, StringComparer.Ordinal)
    .ThenBy(c => c.Kind, StringComparer.Ordinal)
    .ToList();

var schemaDir = Path.Combine(args[1], "Schema", "Generated");
var modelDir = Path.Combine(args[1], "Model", "Generated");
foreach (var dir in new[] { schemaDir, modelDir })
{
    if (Directory.Exists(dir))
    {
        Directory.Delete(dir, recursive: true);
    }

    Directory.CreateDirectory(dir);
}

SchemaEmitter.Emit(crds, schemaDir);
ModelEmitter.Emit(crds, modelDir);
Console.WriteLine($"generated schemas and models for {crds.Count} kinds");
return 0;
