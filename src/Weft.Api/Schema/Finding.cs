using Weft.Api.Validation;

namespace Weft.Api.Schema;

/// <summary>
/// A diagnostic plus whether the API server would treat it as blocking: wrong types, missing required fields,
/// unsupported enum values and too long or too many values stop it from running CEL rules on the object.
/// </summary>
internal readonly record struct Finding(Diagnostic Diagnostic, bool Blocking);
