namespace Weft.Api.Schema.Cel;

/// <summary>
/// One token. <see cref="Text"/> is the identifier, the decoded string literal, or a number's digits
/// (without sign, prefix or suffix; hex digits when <see cref="Hex"/>).
/// </summary>
internal readonly record struct CelToken(CelTokenKind Kind, string Text, int Position, bool Hex = false);
