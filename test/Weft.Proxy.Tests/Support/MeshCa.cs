using Microsoft.Extensions.Logging.Abstractions;
using Weft.Control.Hosting;
using Weft.Proxy.Hosting;

namespace Weft.Proxy.Tests.Support;

/// <summary>
/// A real control plane acting as the mesh's CA: a state directory (its root in <c>ca/root-cert.pem</c>), its secure
/// port on an OS-chosen loopback port, and WorkloadEntries for the workloads whose proxies ask it for certificates:
/// <c>client</c> (service account <c>client</c>), <c>server</c> (<c>server</c>) and <c>intruder</c> (<c>intruder</c>),
/// all in namespace <c>default</c>.
/// </summary>
internal sealed class MeshCa : IAsyncDisposable
{
    public const string ClientNode = "sidecar~127.0.0.1~client.default~default.svc.cluster.local";
    public const string ServerNode = "sidecar~127.0.0.1~server.default~default.svc.cluster.local";
    public const string IntruderNode = "sidecar~127.0.0.1~intruder.default~default.svc.cluster.local";
    public const string ClientId = "spiffe://cluster.local/ns/default/sa/client";
    public const string ServerId = "spiffe://cluster.local/ns/default/sa/server";
    public const string IntruderId = "spiffe://cluster.local/ns/default/sa/intruder";

    private readonly string _directory;

    private MeshCa(string directory, ControlPlane plane)
    {
        _directory = directory;
        Plane = plane;
    }

    public ControlPlane Plane { get; }

    public string RootCertFile => Path.Combine(_directory, "state", "ca", "root-cert.pem");

    public string SecureAddress => Plane.SecureXdsEndpoint!.ToString();

    public static async Task<MeshCa> StartAsync(TimeSpan? workloadCertTtl = null)
    {
        var directory = Path.Combine(Path.GetTempPath(), "weft-mtls-" + Guid.NewGuid().ToString("N")[..10]);
        var config = Path.Combine(directory, "config");
        Directory.CreateDirectory(config);
        var entries = string.Join("---\n", new[] { "client", "server", "intruder" }.Select(name => $"""
            apiVersion: networking.istio.io/v1
            kind: WorkloadEntry
            metadata:
              name: {name}
              namespace: default
            spec:
              address: 127.0.0.1
              labels:
                app: {name}
              serviceAccount: {name}

            """));
        await File.WriteAllTextAsync(Path.Combine(config, "workloads.yaml"), entries);
        var options = new ControlPlaneOptions
        {
            ConfigDirectory = config,
            XdsAddress = "127.0.0.1:0",
            HttpAddress = "127.0.0.1:0",
            SecureXdsAddress = "127.0.0.1:0",
            StateDirectory = Path.Combine(directory, "state"),
        };
        if (workloadCertTtl is { } ttl)
        {
            options = options with { WorkloadCertTtl = ttl };
        }

        return new MeshCa(directory, await ControlPlane.StartAsync(options, NullLoggerFactory.Instance));
    }

    /// <summary>Proxy options that take the workload's certificate from this CA (configuration still comes from the given xDS address).</summary>
    public Func<ProxyOptions, ProxyOptions> Identity(string serviceAccount, Func<ProxyOptions, ProxyOptions>? more = null) => options =>
    {
        var configured = options with { CaAddress = SecureAddress, RootCertFile = RootCertFile, ServiceAccount = serviceAccount };
        return more is null ? configured : more(configured);
    };

    public async ValueTask DisposeAsync()
    {
        await Plane.DisposeAsync();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
