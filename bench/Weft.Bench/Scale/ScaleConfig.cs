using System.Globalization;

namespace Weft.Bench.Scale;

/// <summary>
/// The scale scenario's mesh as a directory of Istio YAML, one file per service (<c>NAMESPACE/SERVICE.yaml</c>): a
/// ServiceEntry (MESH_INTERNAL, STATIC, one HTTP port, workloadSelector) and its five WorkloadEntries, and for every
/// second service a DestinationRule with subsets v1 and v2 and a VirtualService splitting between them by weight. Editing
/// one service's weights rewrites exactly one file, as a user's one-file change would. Deterministic for a given size.
/// </summary>
internal sealed class ScaleConfig
{
    public const int Port = 8080;
    public const int EndpointsPerService = 5;

    private readonly int[] _v1Weight;

    public ScaleConfig(string directory, int services, int namespaces)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(services, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(namespaces, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(services * EndpointsPerService, 250 * 256, nameof(services));
        Directory = directory;
        Services = services;
        Namespaces = namespaces;
        _v1Weight = Enumerable.Repeat(90, services).ToArray();
    }

    public string Directory { get; }

    public int Services { get; }

    public int Namespaces { get; }

    /// <summary>Services with a DestinationRule and a VirtualService: every second one.</summary>
    public int RoutedServices => (Services + 1) / 2;

    public static bool IsRouted(int service) => service % 2 == 0;

    public static string Name(int service) => "svc-" + service.ToString("D4", CultureInfo.InvariantCulture);

    public string Namespace(int service) => "ns-" + (service % Namespaces).ToString(CultureInfo.InvariantCulture);

    public string Host(int service) => $"{Name(service)}.{Namespace(service)}.svc.cluster.local";

    public static string WorkloadName(int service, int replica) => $"{Name(service)}-{replica.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>A distinct loopback address per workload: 127.1.X.Y.</summary>
    public static string Address(int service, int replica)
    {
        var index = (service * EndpointsPerService) + replica;
        return string.Create(CultureInfo.InvariantCulture, $"127.1.{index / 250}.{(index % 250) + 1}");
    }

    /// <summary>Replicas 0-2 are version v1, 3-4 are v2.</summary>
    public static string Version(int replica) => replica < 3 ? "v1" : "v2";

    /// <summary>The current weight of subset v1 in a routed service's VirtualService (v2 has the rest).</summary>
    public int V1Weight(int service) => _v1Weight[service];

    public string FilePath(int service) => Path.Combine(Directory, Namespace(service), Name(service) + ".yaml");

    /// <summary>Writes every file; returns the number of resources written.</summary>
    public int WriteAll()
    {
        var resources = 0;
        for (var service = 0; service < Services; service++)
        {
            resources += Write(service);
        }

        return resources;
    }

    /// <summary>
    /// The <paramref name="change"/>-th one-file change: a routed service (a different one each time while there are
    /// enough) gets new weights. Returns the service whose file was rewritten.
    /// </summary>
    public int ChangeWeights(int change)
    {
        var service = (int)((long)change * 37 % RoutedServices) * 2;
        _v1Weight[service] = _v1Weight[service] == 70 ? 90 : 70;
        Write(service);
        return service;
    }

    private int Write(int service)
    {
        var path = FilePath(service);
        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(path)!);

        // Rename into place, so the watcher never reads half a file.
        var temp = path + ".tmp";
        File.WriteAllText(temp, Yaml(service));
        File.Move(temp, path, overwrite: true);
        return 1 + EndpointsPerService + (IsRouted(service) ? 2 : 0);
    }

    private string Yaml(int service)
    {
        var name = Name(service);
        var ns = Namespace(service);
        var host = Host(service);
        var yaml = new System.Text.StringBuilder(2048);
        yaml.Append(CultureInfo.InvariantCulture, $$"""
            apiVersion: networking.istio.io/v1
            kind: ServiceEntry
            metadata: {name: {{name}}, namespace: {{ns}} }
            spec:
              hosts: [{{host}}]
              location: MESH_INTERNAL
              ports: [{number: {{Port}}, name: http, protocol: HTTP}]
              resolution: STATIC
              workloadSelector: {labels: {app: {{name}} } }

            """);
        for (var replica = 0; replica < EndpointsPerService; replica++)
        {
            yaml.Append(CultureInfo.InvariantCulture, $$"""
                ---
                apiVersion: networking.istio.io/v1
                kind: WorkloadEntry
                metadata: {name: {{WorkloadName(service, replica)}}, namespace: {{ns}} }
                spec: {address: {{Address(service, replica)}}, ports: {http: {{Port}} }, labels: {app: {{name}}, version: {{Version(replica)}} }, serviceAccount: {{name}} }

                """);
        }

        if (IsRouted(service))
        {
            var v1 = _v1Weight[service];
            yaml.Append(CultureInfo.InvariantCulture, $$"""
                ---
                apiVersion: networking.istio.io/v1
                kind: DestinationRule
                metadata: {name: {{name}}, namespace: {{ns}} }
                spec:
                  host: {{host}}
                  subsets:
                  - {name: v1, labels: {version: v1} }
                  - {name: v2, labels: {version: v2} }
                ---
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: {{name}}, namespace: {{ns}} }
                spec:
                  hosts: [{{host}}]
                  http:
                  - route:
                    - {destination: {host: {{host}}, subset: v1 }, weight: {{v1}} }
                    - {destination: {host: {{host}}, subset: v2 }, weight: {{100 - v1}} }

                """);
        }

        return yaml.ToString();
    }
}
