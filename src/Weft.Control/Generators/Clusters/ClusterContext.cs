using Weft.Control.Model;
using Weft.Control.Push;

namespace Weft.Control.Generators.Clusters;

/// <summary>What cluster building reads: the proxy asking and the push it is part of.</summary>
internal sealed record ClusterContext(ProxyNode Proxy, PushContext Push);
