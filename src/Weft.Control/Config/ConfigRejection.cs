using Weft.Api.Validation;

namespace Weft.Control.Config;

/// <summary>
/// A resource (or a whole file) that was refused, with the validation findings that say why. When <see cref="Key"/> is known
/// and an earlier version was valid, <see cref="KeptLastGood"/> is true: that version stays in force.
/// </summary>
public sealed record ConfigRejection(string File, ConfigKey? Key, IReadOnlyList<Diagnostic> Errors, bool KeptLastGood);
