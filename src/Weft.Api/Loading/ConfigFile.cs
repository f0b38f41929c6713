namespace Weft.Api.Loading;

/// <summary>The text of one input: a file, or standard input named "-".</summary>
public sealed record ConfigFile(string Name, string Text);
