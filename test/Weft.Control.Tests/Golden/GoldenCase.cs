using Weft.Control.Model;
using Weft.Control.Tests.Support;

namespace Weft.Control.Tests.Golden;

/// <summary>Where a golden case's input files live.</summary>
internal enum GoldenSource
{
    /// <summary>Relative to the Istio corpus (../shared/istio-corpus); the case skips when it is absent.</summary>
    Corpus,

    /// <summary>Relative to the repository root.</summary>
    Repository,
}

/// <summary>One proxy of a golden case: how to make its node, and the listeners it asks for (proxyless clients).</summary>
internal sealed record GoldenProxy(string Name, Func<TestMesh, ProxyNode> Node, params string[] Listeners)
{
    public static GoldenProxy Sidecar(string ns = "default") =>
        new(ns == "default" ? "sidecar" : $"sidecar-{ns}", mesh => mesh.Sidecar(ns));

    public static GoldenProxy Router(string name, string label, string value) =>
        new(name, mesh => mesh.Router(new Dictionary<string, string> { [label] = value }));
}

/// <summary>A set of input files applied together, and the proxies whose xDS is kept as one golden file each.</summary>
internal sealed record GoldenCase(string Name, GoldenSource Source, IReadOnlyList<string> Inputs, IReadOnlyList<GoldenProxy> Proxies)
{
    /// <summary>The golden file of one proxy: <c>CASE.PROXY.golden.json</c>.</summary>
    public static string FileName(GoldenCase goldenCase, GoldenProxy proxy) => $"{goldenCase.Name}.{proxy.Name}.golden.json";
}
