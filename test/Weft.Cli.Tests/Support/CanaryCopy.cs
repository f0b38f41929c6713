using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Weft.Cli.Up;

namespace Weft.Cli.Tests.Support;

/// <summary>
/// A copy of examples/canary (or examples/canary-mtls) in a temporary directory, every port of its workloads (and
/// sidecars) moved to one held free while the copy lives, so tests can run <c>weft up</c> on it side by side and edit it as a user
/// would.
/// </summary>
internal sealed partial class CanaryCopy : IDisposable
{
    private readonly LoopbackPorts _ports;

    /// <summary>The ports each example's files name, in the order <see cref="V1Port"/>, <see cref="V2Port"/>, then the rest.</summary>
    private static readonly Dictionary<string, int[]> ExamplePorts = new(StringComparer.Ordinal)
    {
        ["canary"] = [18081, 18082],
        ["canary-mtls"] = [18181, 18182, 28181, 28182],
    };

    public CanaryCopy(string example = "canary")
    {
        Directory = System.IO.Directory.CreateTempSubdirectory("weft-up-").FullName;
        var original = ExamplePorts[example];
        _ports = LoopbackPorts.Reserve(original.Length);
        var ports = _ports.Endpoints;
        V1Port = ports[0].Port;
        V2Port = ports[1].Port;
        foreach (var file in System.IO.Directory.GetFiles(Path.Combine(CliRun.RepositoryRoot, "examples", example), "*.yaml"))
        {
            var text = File.ReadAllText(file);
            for (var i = 0; i < original.Length; i++)
            {
                text = text.Replace(original[i].ToString(CultureInfo.InvariantCulture), ports[i].Port.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal);
            }

            File.WriteAllText(Path.Combine(Directory, Path.GetFileName(file)), text);
        }

        Assert.Contains($"http: {V2Port}", File.ReadAllText(Path.Combine(Directory, "service.yaml")));
    }

    public string Directory { get; }

    public int V1Port { get; }

    public int V2Port { get; }

    public IPEndPoint V2Address => new(IPAddress.Loopback, V2Port);

    public string VirtualServiceFile => Path.Combine(Directory, "virtual-service.yaml");

    /// <summary>Rewrites the canary split's weights in virtual-service.yaml, as a user edits it.</summary>
    public void SetWeights(int v1, int v2)
    {
        var weights = new Queue<int>([v1, v2]);
        var text = Weight().Replace(File.ReadAllText(VirtualServiceFile), m => "weight: " + weights.Dequeue().ToString(CultureInfo.InvariantCulture));
        Assert.Empty(weights);
        File.WriteAllText(VirtualServiceFile, text);
    }

    public void Write(string name, string text) => File.WriteAllText(Path.Combine(Directory, name), text);

    public void Dispose()
    {
        _ports.Dispose();
        System.IO.Directory.Delete(Directory, recursive: true);
    }

    [GeneratedRegex(@"weight: \d+")]
    private static partial Regex Weight();
}
