namespace Weft.Control.Registry;

/// <summary>A workload serving one port of a service, reached at <see cref="Port"/> (its target port).</summary>
public sealed record ServiceEndpoint(MeshService Service, ServicePort ServicePort, Workload Workload, int Port);
