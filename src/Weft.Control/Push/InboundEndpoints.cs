using Weft.Control.Model;
using Weft.Control.Registry;

namespace Weft.Control.Push;

/// <summary>The service endpoints a proxy's own workload serves: those of the WorkloadEntry it is, else those at its address.</summary>
public static class InboundEndpoints
{
    public static IReadOnlyList<ServiceEndpoint> For(ProxyNode proxy, PushContext push) =>
        push.Cached(("inbound-endpoints", proxy.Workload, string.Join(',', proxy.IpAddresses), proxy.Namespace), () =>
        {
            var index = push.Cached("inbound-endpoint-index", () => new Index(push));
            var result = proxy.Workload is { } workload
                ? workload.Name.Length > 0
                    ? index.OfWorkload(workload.Name, workload.Namespace)
                    : index.All.Where(e => ReferenceEquals(e.Workload, workload))
                : index.AtAddresses(proxy.Namespace, proxy.IpAddresses);
            return (IReadOnlyList<ServiceEndpoint>)result.OrderBy(e => e.Port).ThenBy(e => e.Service.Hostname, StringComparer.Ordinal).ToArray();
        });

    /// <summary>Every endpoint of the push, by workload and by address: a proxy finds its own without walking them all.</summary>
    private sealed class Index
    {
        private readonly Dictionary<(string Name, string Ns), List<ServiceEndpoint>> _byWorkload = new();
        private readonly Dictionary<(string Ns, string Address), List<(int Position, ServiceEndpoint Endpoint)>> _byAddress = new();

        public Index(PushContext push)
        {
            foreach (var service in push.Registry.Services)
            {
                foreach (var port in service.Ports)
                {
                    foreach (var endpoint in push.Endpoints(service, port.Number))
                    {
                        Add(_byAddress, (endpoint.Workload.Namespace, endpoint.Workload.Address), (All.Count, endpoint));
                        All.Add(endpoint);
                        if (endpoint.Workload.Name.Length > 0)
                        {
                            Add(_byWorkload, (endpoint.Workload.Name, endpoint.Workload.Namespace), endpoint);
                        }

                    }
                }
            }
        }

        /// <summary>In registry order (services, their ports, their endpoints).</summary>
        public List<ServiceEndpoint> All { get; } = [];

        public IEnumerable<ServiceEndpoint> OfWorkload(string name, string ns) => _byWorkload.TryGetValue((name, ns), out var list) ? list : [];

        /// <summary>The endpoints at any of the addresses, in registry order.</summary>
        public IEnumerable<ServiceEndpoint> AtAddresses(string ns, IEnumerable<string> addresses) =>
            addresses.Distinct(StringComparer.Ordinal)
                .SelectMany(a => _byAddress.TryGetValue((ns, a), out var list) ? list : [])
                .OrderBy(e => e.Position)
                .Select(e => e.Endpoint);

        private static void Add<TKey, TValue>(Dictionary<TKey, List<TValue>> index, TKey key, TValue endpoint)
            where TKey : notnull
        {
            if (!index.TryGetValue(key, out var list))
            {
                index[key] = list = [];
            }

            list.Add(endpoint);
        }
    }
}
