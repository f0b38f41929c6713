using Weft.Api.Documents;
using Weft.Api.Validation;

namespace Weft.Api.Schema;

/// <summary>
/// The state of one <see cref="SchemaValidator.Validate"/> call: the current path and the findings of each stage,
/// kept apart so that they come out in the order the API server produces them (decoding, metadata, schema,
/// list types, CEL) however the walk interleaves them.
/// </summary>
/// <remarks>Runs are reused per thread (see <see cref="Rent"/>), so a validation allocates little besides its findings.</remarks>
internal sealed class ValidationRun
{
    [ThreadStatic]
    private static ValidationRun? _spare;

    public ValidationRun(SchemaValidationOptions options)
    {
        Options = options;
        Walker = new OpenApiWalker(this);
    }

    public SchemaValidationOptions Options { get; private set; }

    public OpenApiWalker Walker { get; }

    public PathStack Path { get; } = new();

    /// <summary>Fields the schema does not know (reported only in strict mode).</summary>
    public List<Finding> Unknown { get; } = [];

    public List<Finding> Metadata { get; } = [];

    public List<Finding> Schema { get; } = [];

    public List<Finding> ListTypes { get; } = [];

    public List<Finding> Cel { get; } = [];

    /// <summary>A run for this thread; a nested validation (an evaluator validating in turn) gets a fresh one.</summary>
    public static ValidationRun Rent(SchemaValidationOptions options)
    {
        var run = _spare;
        if (run is null)
        {
            return new ValidationRun(options);
        }

        _spare = null;
        run.Options = options;
        return run;
    }

    /// <summary>Clears the run for the next validation on this thread; its findings must have been collected.</summary>
    public void Return()
    {
        Walker.Reset();
        Path.Clear();
        Unknown.Clear();
        Metadata.Clear();
        Schema.Clear();
        ListTypes.Clear();
        Cel.Clear();
        _spare = this;
    }

    public static void Report(List<Finding> sink, string fieldPath, string message, SourceLocation location, bool blocking = false) =>
        sink.Add(new Finding(new Diagnostic(Severity.Error, fieldPath, message, location), blocking));

    public bool HasBlocking() => AnyBlocking(Metadata) || AnyBlocking(Schema) || AnyBlocking(ListTypes);

    public IReadOnlyList<Diagnostic> Collect()
    {
        var total = Unknown.Count + Metadata.Count + Schema.Count + ListTypes.Count + Cel.Count;
        if (total == 0)
        {
            return [];
        }

        // The API server drops repeated messages (field.ErrorList.ToAggregate); alternatives of oneOf/anyOf can
        // report the same failure as the main schema.
        var result = new List<Diagnostic>(total);
        var seen = total > 1 ? new HashSet<(string, string)>() : null;
        foreach (var stage in (ReadOnlySpan<List<Finding>>)[Unknown, Metadata, Schema, ListTypes, Cel])
        {
            foreach (var finding in stage)
            {
                var d = finding.Diagnostic;
                if (seen is null || seen.Add((d.FieldPath, d.Message)))
                {
                    result.Add(d);
                }
            }
        }

        return result;
    }

    private static bool AnyBlocking(List<Finding> findings)
    {
        foreach (var f in findings)
        {
            if (f.Blocking)
            {
                return true;
            }
        }

        return false;
    }
}
