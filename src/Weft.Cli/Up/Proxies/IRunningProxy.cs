namespace Weft.Cli.Up.Proxies;

/// <summary>
/// A proxy started by an <see cref="IProxyRunner"/>. <see cref="Stopped"/> completes when it stops by itself, with a sentence
/// saying why; disposing stops it and returns once it is gone.
/// </summary>
internal interface IRunningProxy : IAsyncDisposable
{
    /// <summary>How it runs, for people: <c>weft proxy, pid 1234</c>.</summary>
    string Description { get; }

    Task<string> Stopped { get; }
}
