using System.Globalization;
using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Weft.Control.Hosting;

namespace Weft.Proxy.Tests.Support;

/// <summary>
/// The canary example (examples/canary) for real: a temporary copy of its directory whose WorkloadEntries point at two
/// small backends answering "v1" and "v2", served by a real control plane in-process.
/// </summary>
internal sealed class CanaryMesh : IAsyncDisposable
{
    public const string Host = "product-catalog.default.svc.cluster.local:8080";

    private CanaryMesh(string directory, Backend v1, Backend v2)
    {
        Directory = directory;
        V1 = v1;
        V2 = v2;
    }

    public string Directory { get; }

    public Backend V1 { get; }

    public Backend V2 { get; }

    public ControlPlane? Plane { get; private set; }

    /// <summary>The mesh config the control plane runs with (Istio's defaults unless the test gives one).</summary>
    public Weft.Control.Model.MeshConfig MeshConfig { get; private init; } = Weft.Control.Model.MeshConfig.Default;

    public string XdsAddress => Plane?.XdsEndpoint.ToString() ?? throw new InvalidOperationException("the control plane is not running");

    /// <summary>Copies the example, starts the backends and (unless told not to) the control plane on an OS-chosen port.</summary>
    public static async Task<CanaryMesh> StartAsync(bool startPlane = true, Weft.Control.Model.MeshConfig? meshConfig = null)
    {
        var directory = Path.Combine(Path.GetTempPath(), "weft-canary-" + Guid.NewGuid().ToString("N")[..10]);
        System.IO.Directory.CreateDirectory(directory);
        var v1 = await Backend.StartAsync("v1");
        var v2 = await Backend.StartAsync("v2");
        var mesh = new CanaryMesh(directory, v1, v2) { MeshConfig = meshConfig ?? Weft.Control.Model.MeshConfig.Default };
        foreach (var file in System.IO.Directory.GetFiles(Path.Combine(Golden.RepositoryRoot(), "examples", "canary"), "*.yaml"))
        {
            var text = File.ReadAllText(file)
                .Replace("http: 18081", "http: " + v1.Port.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
                .Replace("http: 18082", "http: " + v2.Port.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal);
            mesh.Write(Path.GetFileName(file), text);
        }

        if (startPlane)
        {
            await mesh.StartPlaneAsync("127.0.0.1:0");
        }

        return mesh;
    }

    /// <summary>Starts the control plane on an address (again, after a stop, to come back where it was).</summary>
    public async Task StartPlaneAsync(string xdsAddress)
    {
        // The port was just let go; binding it again can take a moment while the old sockets close.
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        while (true)
        {
            try
            {
                Plane = await ControlPlane.StartAsync(new ControlPlaneOptions { ConfigDirectory = Directory, XdsAddress = xdsAddress, HttpAddress = "127.0.0.1:0", Mesh = MeshConfig }, NullLoggerFactory.Instance);
                return;
            }
            catch (IOException) when (!timeout.IsCancellationRequested)
            {
                await Task.Delay(100, timeout.Token);
            }
        }
    }

    public async Task StopPlaneAsync()
    {
        if (Plane is { } plane)
        {
            Plane = null;
            await plane.DisposeAsync();
        }
    }

    /// <summary>Writes a file atomically (rename into place), so the control plane's watcher never reads half of it.</summary>
    public void Write(string name, string text)
    {
        var target = Path.Combine(Directory, name);
        var temp = target + ".tmp-" + Guid.NewGuid().ToString("N")[..6];
        File.WriteAllText(temp, text);
        File.Move(temp, target, overwrite: true);
    }

    /// <summary>The example's virtual-service.yaml with other weights for v1 and v2.</summary>
    public void SetWeights(int v1, int v2)
    {
        var text = File.ReadAllText(Path.Combine(Golden.RepositoryRoot(), "examples", "canary", "virtual-service.yaml"))
            .Replace("weight: 90", "weight: " + v1.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("weight: 10", "weight: " + v2.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal);
        Write("virtual-service.yaml", text);
    }

    /// <summary>A loopback address held free for a control plane that starts later.</summary>
    public static string FreeAddress() => $"127.0.0.1:{Ports.Free()}";

    public async ValueTask DisposeAsync()
    {
        await StopPlaneAsync();
        await V1.DisposeAsync();
        await V2.DisposeAsync();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
