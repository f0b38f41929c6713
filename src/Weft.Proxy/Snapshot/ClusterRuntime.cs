using Weft.Proxy.LoadBalancing;
using Weft.Proxy.Snapshot.Clusters;
using Weft.Proxy.Xds;

namespace Weft.Proxy.Snapshot;

/// <summary>A cluster as a snapshot serves it: its model, its endpoints, and the load balancer over them.</summary>
internal sealed record ClusterRuntime(ClusterModel Model, LoadAssignment Assignment, ClusterLoadBalancer Balancer, AcceptedResource Source, AcceptedResource? Endpoints);
