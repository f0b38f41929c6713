using Weft.Control.Model;
using Weft.Control.Push;
using Weft.Xds;

namespace Weft.Control.Generators.Endpoints;

/// <summary>
/// EDS: a ClusterLoadAssignment for each outbound EDS cluster the proxy names. Assignments depend only on the cluster and
/// the DestinationRule chosen for it, so proxies share them within a push.
/// </summary>
public sealed class EndpointGenerator : IXdsGenerator
{
    public string TypeUrl => TypeUrls.ClusterLoadAssignment;

    public IReadOnlyList<XdsResource> Generate(ProxyNode proxy, PushContext push, IReadOnlySet<string>? names)
    {
        var result = new List<XdsResource>();
        foreach (var name in (IEnumerable<string>?)names ?? [])
        {
            if (!ResourceNames.TryParseCluster(name, out var parsed) || parsed.Direction != Direction.Outbound)
            {
                continue;
            }

            var service = push.Service(parsed.Host, proxy.Namespace);
            var port = service?.Port(parsed.Port);
            if (service is null || port is null)
            {
                continue;
            }

            var rule = parsed.Subset.Length > 0 ? push.DestinationRule(proxy, service.Hostname, service) : null;
            if (parsed.Subset.Length > 0 && rule?.Subset(parsed.Subset) is null)
            {
                continue;
            }

            result.Add(push.Cached((nameof(EndpointGenerator), name, service, rule?.Key), () =>
                new XdsResource(name, LoadAssignmentBuilder.Build(push, service, port, parsed.Subset, rule, name))));
        }

        return result;
    }
}
