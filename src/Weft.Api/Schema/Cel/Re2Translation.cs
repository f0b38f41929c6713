namespace Weft.Api.Schema.Cel;

/// <summary>An RE2 pattern rendered for .NET; <see cref="NeedsBacktracking"/> when it uses lookarounds (for ASCII \b).</summary>
internal readonly record struct Re2Translation(string Pattern, bool NeedsBacktracking);
