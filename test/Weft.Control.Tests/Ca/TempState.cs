namespace Weft.Control.Tests.Ca;

/// <summary>A state directory path of its own for one test (not created: the control plane creates it), deleted afterwards.</summary>
internal sealed class TempState : IDisposable
{
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "weft-state-" + Guid.NewGuid().ToString("N")[..12]);

    public string File(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }
}
