using Weft.Control.Model;
using Weft.Control.Push;

namespace Weft.Control.Generators;

/// <summary>
/// Builds the resources of one xDS type for one proxy. A pure function of its inputs: the same proxy, push context and
/// names give the same resources. <paramref name="names"/> are the names the proxy asked for; null means all (a wildcard
/// subscription); generators may return only those asked for, and must not fail for names they do not know.
/// </summary>
public interface IXdsGenerator
{
    string TypeUrl { get; }

    IReadOnlyList<XdsResource> Generate(ProxyNode proxy, PushContext push, IReadOnlySet<string>? names);

    /// <summary>
    /// The same resources as a set, for pushes: generators whose output a class of proxies shares return the shared set
    /// (or a shared part and the proxy's own), so that many proxies cost one generation and one comparison each.
    /// </summary>
    ResourceSet GenerateSet(ProxyNode proxy, PushContext push, IReadOnlySet<string>? names) => new(Generate(proxy, push, names));
}
