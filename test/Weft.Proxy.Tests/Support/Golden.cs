using System.Text.Json;
using Google.Protobuf;
using Weft.Xds;
using Weft.Xds.Envoy.Config.Cluster.V3;
using Weft.Xds.Envoy.Config.Endpoint.V3;
using Weft.Xds.Envoy.Config.Listener.V3;
using Weft.Xds.Envoy.Config.Route.V3;

namespace Weft.Proxy.Tests.Support;

/// <summary>
/// The control plane's golden xDS output (test/Weft.Control.Tests/Golden/testdata): exactly the resources a proxy of that
/// kind receives for an example, read back into Envoy messages.
/// </summary>
internal static class Golden
{
    private static readonly JsonParser Parser = new(JsonParser.Settings.Default.WithTypeRegistry(XdsJson.Types).WithIgnoreUnknownFields(false));

    /// <param name="edit">Changes the JSON text first (for example, a workload's port to a test backend's).</param>
    public static IReadOnlyList<IMessage> Load(string name, Func<string, string>? edit = null)
    {
        var path = Path.Combine(RepositoryRoot(), "test", "Weft.Control.Tests", "Golden", "testdata", name + ".golden.json");
        var text = File.ReadAllText(path);
        using var document = JsonDocument.Parse(edit is null ? text : edit(text));
        var resources = new List<IMessage>();
        Read<Listener>(document, "listeners", resources);
        Read<RouteConfiguration>(document, "routes", resources);
        Read<Cluster>(document, "clusters", resources);
        Read<ClusterLoadAssignment>(document, "endpoints", resources);
        return resources;
    }

    public static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Weft.slnx")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("repository root not found");
    }

    private static void Read<T>(JsonDocument document, string property, List<IMessage> into)
        where T : IMessage, new()
    {
        if (!document.RootElement.TryGetProperty(property, out var array))
        {
            return;
        }

        foreach (var element in array.EnumerateArray())
        {
            into.Add(Parser.Parse(element.GetRawText(), new T().Descriptor));
        }
    }
}
