namespace Weft.Api.Schema.Cel;

/// <summary>A pattern RE2 would reject, or an RE2 feature with no faithful .NET rendering.</summary>
internal sealed class Re2SyntaxException(string message) : Exception(message);
