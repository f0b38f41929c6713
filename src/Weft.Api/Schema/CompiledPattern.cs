using System.Text.RegularExpressions;

namespace Weft.Api.Schema;

/// <summary>A CRD pattern ready to match, or the reason it could not be compiled.</summary>
internal sealed record CompiledPattern(Regex? Regex, string? Error);
