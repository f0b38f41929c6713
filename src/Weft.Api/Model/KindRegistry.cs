namespace Weft.Api.Model;

/// <summary>Finds the <see cref="ResourceKind"/> for an apiVersion and kind: Istio's kinds and the Kubernetes kinds Weft reads.</summary>
public static class KindRegistry
{
    private static readonly Dictionary<(string Group, string Kind), ResourceKind> ByGroupKind = Build();

    public static IEnumerable<ResourceKind> All => ByGroupKind.Values;

    public static ResourceKind? Find(string group, string kind) => ByGroupKind.GetValueOrDefault((group, kind));

    /// <summary>Splits "group/version" (or a bare "v1" for the core group).</summary>
    public static (string Group, string Version) SplitApiVersion(string apiVersion)
    {
        var slash = apiVersion.IndexOf('/', StringComparison.Ordinal);
        return slash < 0 ? (string.Empty, apiVersion) : (apiVersion[..slash], apiVersion[(slash + 1)..]);
    }

    private static Dictionary<(string, string), ResourceKind> Build()
    {
        var map = new Dictionary<(string, string), ResourceKind>();
        foreach (var kind in IstioKinds.All.Concat(KubernetesKinds.All))
        {
            map[(kind.Group, kind.Kind)] = kind;
        }

        return map;
    }
}
