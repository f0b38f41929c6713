namespace Weft.Control.Registry;

/// <summary>
/// A source of services and workloads (local ServiceEntry/WorkloadEntry today, Kubernetes later). An instance is an immutable
/// view: a change produces a new registry.
/// </summary>
public interface IServiceRegistry
{
    /// <summary>Every service, ordered by host name then namespace.</summary>
    IReadOnlyList<MeshService> Services { get; }

    /// <summary>The endpoints of one port of a service, in a stable order.</summary>
    IReadOnlyList<ServiceEndpoint> Endpoints(MeshService service, int port);

    /// <summary>Workloads that a proxy can be (WorkloadEntries), looked up by name and namespace.</summary>
    Workload? FindWorkload(string name, string ns);

    /// <summary>All workloads (WorkloadEntries and inline endpoints).</summary>
    IReadOnlyList<Workload> Workloads { get; }
}
