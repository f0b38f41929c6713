using Weft.Control.Tests.Support;

namespace Weft.Control.Tests.Interop.Scenarios;

/// <summary>
/// One interop setup: real Echo backends (v1, v2, ...), a real control plane serving a ServiceEntry
/// <c>echo.default.svc.cluster.local:7070</c> whose WorkloadEntries point at them, and gRPC's own xDS client dialing
/// <c>xds:///echo.default.svc.cluster.local:7070</c>. Tests add a DestinationRule and a VirtualService.
/// </summary>
internal sealed class EchoMesh : IAsyncDisposable
{
    public const string Host = "echo.default.svc.cluster.local";
    public const int Port = 7070;

    private EchoMesh(EchoServers servers, RunningControlPlane control)
    {
        Servers = servers;
        Control = control;
        Client = new GrpcXdsClient(new XdsBootstrap(control.Plane.XdsEndpoint.Port, XdsBootstrap.SidecarNodeId("echo-client")));
    }

    public EchoServers Servers { get; }

    public RunningControlPlane Control { get; }

    public GrpcXdsClient Client { get; }

    public static string Target => GrpcXdsClient.XdsTarget(Host, Port);

    public static async Task<EchoMesh> StartAsync(IReadOnlyList<EchoBackend> backends, string destinationRule, string virtualService)
    {
        NodeInterop.Require();
        var servers = await EchoServers.StartAsync(backends);
        try
        {
            var files = new Dictionary<string, string>
            {
                ["service.yaml"] = Service(servers, backends),
                ["destination-rule.yaml"] = destinationRule,
                ["virtual-service.yaml"] = virtualService,
            };
            var control = await RunningControlPlane.StartAsync(files);
            return new EchoMesh(servers, control);
        }
        catch
        {
            await servers.DisposeAsync();
            throw;
        }
    }

    /// <summary>A DestinationRule with a subset per backend (label <c>version: NAME</c>) and an optional traffic policy.</summary>
    public static string Subsets(IEnumerable<string> versions, string trafficPolicy = "")
    {
        var subsets = string.Join("\n", versions.Select(v => "  - {name: " + v + ", labels: {version: " + v + "}}"));
        return $$$$"""
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: {name: echo, namespace: default}
        spec:
          host: {{{{Host}}}}
        {{{{Indent(trafficPolicy, 2)}}}}
          subsets:
        {{{{subsets}}}}
        """;
    }

    /// <summary>A VirtualService for the echo host with the given <c>http</c> routes (YAML list items).</summary>
    public static string Routes(string http) =>
        $$$$"""
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: echo, namespace: default}
        spec:
          hosts: [{{{{Host}}}}]
          http:
        {{{{Indent(http, 2)}}}}
        """;

    public static string Destination(string subset, int? weight = null) =>
        weight is { } w
            ? $"- destination: {{host: {Host}, subset: {subset}}}\n  weight: {w}"
            : $"- destination: {{host: {Host}, subset: {subset}}}";

    private static string Service(EchoServers servers, IReadOnlyList<EchoBackend> backends)
    {
        var entries = backends.Select(b => $$$$"""
            ---
            apiVersion: networking.istio.io/v1
            kind: WorkloadEntry
            metadata: {name: echo-{{{{b.Name}}}}, namespace: default}
            spec: {address: 127.0.0.1, ports: {grpc: {{{{servers.Port(b.Name)}}}}}, labels: {app: echo, version: {{{{b.Name}}}}}}
            """);
        return $$$$"""
            apiVersion: networking.istio.io/v1
            kind: ServiceEntry
            metadata: {name: echo, namespace: default}
            spec:
              hosts: [{{{{Host}}}}]
              location: MESH_INTERNAL
              ports: [{number: {{{{Port}}}}, name: grpc, protocol: GRPC}]
              resolution: STATIC
              workloadSelector: {labels: {app: echo}}
            """ + "\n" + string.Join("\n", entries);
    }

    private static string Indent(string text, int spaces)
    {
        var pad = new string(' ', spaces);
        return string.Join("\n", text.Split('\n').Select(line => line.Length == 0 ? line : pad + line));
    }

    public async ValueTask DisposeAsync()
    {
        await Control.DisposeAsync();
        await Servers.DisposeAsync();
    }
}
