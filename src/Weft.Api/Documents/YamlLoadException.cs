namespace Weft.Api.Documents;

/// <summary>The input could not be read as YAML or JSON, or it broke one of the <see cref="LoadLimits"/>.</summary>
public sealed class YamlLoadException : Exception
{
    public YamlLoadException(SourceLocation location, string message, Exception? inner = null)
        : base(message, inner) => Location = location;

    public SourceLocation Location { get; }
}
