namespace Weft.Api.Loading;

/// <summary>An input path that could not be read.</summary>
public sealed class ConfigFileException(string path, string reason) : Exception($"{path}: {reason}")
{
    public string Path { get; } = path;

    public string Reason { get; } = reason;
}
