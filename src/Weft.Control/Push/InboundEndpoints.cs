using Weft.Control.Model;
using Weft.Control.Registry;

namespace Weft.Control.Push;

/// <summary>The service endpoints a proxy's own workload serves: those of the WorkloadEntry it is, else those at its address.</summary>
public static class InboundEndpoints
{
    public static IReadOnlyList<ServiceEndpoint> For(ProxyNode proxy, PushContext push) =>
        push.Cached(("inbound-endpoints", proxy.Workload, string.Join(',', proxy.IpAddresses), proxy.Namespace), () =>
        {
            var result = new List<ServiceEndpoint>();
            foreach (var service in push.Registry.Services)
            {
                foreach (var port in service.Ports)
                {
                    foreach (var endpoint in push.Endpoints(service, port.Number))
                    {
                        var mine = proxy.Workload is { } workload
                            ? ReferenceEquals(endpoint.Workload, workload) || (endpoint.Workload.Name == workload.Name && endpoint.Workload.Namespace == workload.Namespace && workload.Name.Length > 0)
                            : endpoint.Workload.Namespace == proxy.Namespace && proxy.IpAddresses.Contains(endpoint.Workload.Address);
                        if (mine)
                        {
                            result.Add(endpoint);
                        }
                    }
                }
            }

            return (IReadOnlyList<ServiceEndpoint>)result.OrderBy(e => e.Port).ThenBy(e => e.Service.Hostname, StringComparer.Ordinal).ToArray();
        });
}
