namespace Weft.Control.Tests.Support;

/// <summary>A configuration directory of its own for one test, deleted afterwards.</summary>
internal sealed class TempConfigDirectory : IDisposable
{
    public TempConfigDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "weft-test-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    /// <summary>Writes a file atomically (rename into place), so a watcher never reads half of it.</summary>
    public string Write(string name, string text)
    {
        var target = System.IO.Path.Combine(Path, name);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(target)!);
        var temp = target + ".tmp-" + Guid.NewGuid().ToString("N")[..6];
        File.WriteAllText(temp, text);
        File.Move(temp, target, overwrite: true);
        return target;
    }

    public void Delete(string name) => File.Delete(System.IO.Path.Combine(Path, name));

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
