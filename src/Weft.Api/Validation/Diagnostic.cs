using Weft.Api.Documents;

namespace Weft.Api.Validation;

public enum Severity
{
    Error,
    Warning,
}

/// <summary>
/// One finding about a resource: what is wrong (<see cref="Message"/>), at which field
/// (<see cref="FieldPath"/>, e.g. <c>spec.http[0].route[1].weight</c>), in which resource and where in the file.
/// </summary>
public sealed record Diagnostic(
    Severity Severity,
    string FieldPath,
    string Message,
    SourceLocation Location,
    string? Kind = null,
    string? Namespace = null,
    string? Name = null)
{
    /// <summary>The resource as "Kind namespace/name" (or "Kind name" without a namespace), as istioctl names origins.</summary>
    public string Resource => Kind is null ? string.Empty
        : string.IsNullOrEmpty(Namespace) ? $"{Kind} {Name}" : $"{Kind} {Namespace}/{Name}";

    /// <summary>The field and what is wrong with it, in the form the Kubernetes API server uses.</summary>
    public string Detail => FieldPath.Length == 0 ? Message
        : Message.StartsWith("in body ", StringComparison.Ordinal) ? $"{FieldPath} {Message}"
        : $"{FieldPath}: {Message}";

    public override string ToString()
    {
        var where = Location.IsKnown ? Location + ": " : string.Empty;
        var what = Kind is null ? string.Empty : Resource + ": ";
        var level = Severity == Severity.Warning ? "warning: " : string.Empty;
        return where + level + what + Detail;
    }
}
