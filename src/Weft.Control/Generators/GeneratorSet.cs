using System.Collections.Frozen;
using Weft.Control.Generators.Clusters;
using Weft.Control.Generators.Endpoints;
using Weft.Control.Generators.Listeners;
using Weft.Control.Generators.Routes;
using Weft.Xds;

namespace Weft.Control.Generators;

/// <summary>The generator of each xDS type the control plane serves.</summary>
public sealed class GeneratorSet
{
    public static GeneratorSet Default { get; } = new([new ClusterGenerator(), new EndpointGenerator(), new ListenerGenerator(), new RouteGenerator(), new Secrets.SecretGenerator()]);

    private readonly FrozenDictionary<string, IXdsGenerator> _byType;

    public GeneratorSet(IEnumerable<IXdsGenerator> generators) =>
        _byType = generators.ToFrozenDictionary(g => g.TypeUrl, StringComparer.Ordinal);

    public IXdsGenerator? For(string typeUrl) => _byType.GetValueOrDefault(typeUrl);

    public bool Serves(string typeUrl) => _byType.ContainsKey(typeUrl);

    /// <summary>Types in Istio's push order (CDS, EDS, LDS, RDS, SDS), then any others.</summary>
    public IEnumerable<string> Types => TypeUrls.PushOrder.Where(_byType.ContainsKey).Concat(_byType.Keys.Except(TypeUrls.PushOrder));
}
