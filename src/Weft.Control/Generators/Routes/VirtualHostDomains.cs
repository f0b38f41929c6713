using Weft.Control.Model;
using Weft.Control.Registry;

namespace Weft.Control.Generators.Routes;

/// <summary>
/// The domains of a sidecar virtual host, in Istio's order: the FQDN, its absolute form (<c>fqdn.</c>), the short forms a
/// proxy in its namespace can use, then the service's addresses. Proxyless gRPC clients get each also with <c>:PORT</c>.
/// </summary>
internal static class VirtualHostDomains
{
    public static IReadOnlyList<string> For(string host, MeshService? service, int port, ProxyNode proxy)
    {
        var domains = new List<string> { host };
        if (!host.StartsWith('*'))
        {
            domains.Add(host + ".");
        }

        domains.AddRange(ShortForms(host, proxy.DnsDomain));
        foreach (var address in service?.Addresses ?? [])
        {
            if (address != "0.0.0.0" && !address.Contains('/', StringComparison.Ordinal))
            {
                domains.Add(address);
            }
        }

        var distinct = domains.Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        if (proxy.IsProxylessGrpc)
        {
            return distinct.SelectMany(d => new[] { d, $"{d}:{port}" }).ToArray();
        }

        return distinct;
    }

    /// <summary>
    /// Short names: for a Kubernetes-style host (<c>NAME.NS.svc.SUFFIX</c>) seen from a proxy whose domain shares the suffix,
    /// <c>NAME</c> (same namespace only), <c>NAME.NS.svc</c> and <c>NAME.NS</c>; for a proxy outside Kubernetes naming,
    /// every form made by trimming the suffix the host shares with the proxy's domain.
    /// </summary>
    public static IEnumerable<string> ShortForms(string host, string proxyDomain)
    {
        if (host.StartsWith('*'))
        {
            yield break;
        }

        var proxySvc = proxyDomain.IndexOf(".svc.", StringComparison.Ordinal);
        if (proxySvc >= 0)
        {
            var suffix = proxyDomain[(proxySvc + 1)..]; // svc.cluster.local
            if (!host.EndsWith("." + suffix, StringComparison.Ordinal))
            {
                yield break;
            }

            var hostSvc = host.IndexOf(".svc.", StringComparison.Ordinal);
            var firstDot = host.IndexOf('.', StringComparison.Ordinal);
            if (hostSvc <= 0 || firstDot + 1 > hostSvc)
            {
                yield break;
            }

            if (host[(firstDot + 1)..hostSvc] == proxyDomain[..proxySvc])
            {
                yield return host[..firstDot];
                yield return host[..hostSvc] + ".svc";
                yield return host[..hostSvc];
            }
            else
            {
                yield return host[..hostSvc];
                yield return host[..hostSvc] + ".svc";
            }

            yield break;
        }

        // Trim the labels the host shares with the proxy's domain, one at a time.
        var hostLabels = host.Split('.');
        var domainLabels = proxyDomain.Split('.', StringSplitOptions.RemoveEmptyEntries);
        var shared = 0;
        while (shared < hostLabels.Length - 1 && shared < domainLabels.Length
            && hostLabels[^(shared + 1)] == domainLabels[^(shared + 1)])
        {
            shared++;
        }

        for (var keep = hostLabels.Length - shared; keep < hostLabels.Length; keep++)
        {
            yield return string.Join('.', hostLabels[..keep]);
        }
    }
}
