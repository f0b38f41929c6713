using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Weft.Control.Hosting;
using Weft.Control.Push;

namespace Weft.Control.Tests.Support;

/// <summary>A real control plane on OS-chosen loopback ports, serving a temporary directory.</summary>
internal sealed class RunningControlPlane : IAsyncDisposable
{
    private readonly TempConfigDirectory _directory;

    private RunningControlPlane(TempConfigDirectory directory, ControlPlane plane)
    {
        _directory = directory;
        Plane = plane;
    }

    public ControlPlane Plane { get; }

    public TempConfigDirectory Directory => _directory;

    public string XdsAddress => Plane.XdsEndpoint.ToString();

    public Uri HttpBase => new($"http://{Plane.HttpEndpoint}");

    public static async Task<RunningControlPlane> StartAsync(IReadOnlyDictionary<string, string> files, ILoggerFactory? loggers = null)
    {
        var directory = new TempConfigDirectory();
        foreach (var (name, text) in files)
        {
            directory.Write(name, text);
        }

        var plane = await ControlPlane.StartAsync(new ControlPlaneOptions
        {
            ConfigDirectory = directory.Path,
            XdsAddress = "127.0.0.1:0",
            HttpAddress = "127.0.0.1:0",
        }, loggers ?? NullLoggerFactory.Instance);
        return new RunningControlPlane(directory, plane);
    }

    /// <summary>
    /// Runs <paramref name="change"/> and waits (bounded) for the push it causes; returns that push context.
    /// </summary>
    public async Task<PushContext> ChangeAsync(Action<TempConfigDirectory> change, TimeSpan? timeout = null)
    {
        var pushed = new TaskCompletionSource<PushContext>(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnPushed(PushContext push) => pushed.TrySetResult(push);
        Plane.Controller.Pushed += OnPushed;
        try
        {
            change(_directory);
            return await pushed.Task.WaitAsync(timeout ?? TimeSpan.FromSeconds(10));
        }
        finally
        {
            Plane.Controller.Pushed -= OnPushed;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Plane.DisposeAsync();
        _directory.Dispose();
    }
}
