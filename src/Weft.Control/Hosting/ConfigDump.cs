using System.Text;
using Weft.Control.Generators;
using Weft.Control.Model;
using Weft.Control.Push;
using Weft.Xds;

namespace Weft.Control.Hosting;

/// <summary>Renders what a proxy is served as JSON: listeners, routes, clusters and endpoints, each in Envoy's JSON form.</summary>
public static class ConfigDump
{
    public static string Render(ProxyNode proxy, PushContext push, IReadOnlySet<string>? listenerNames = null) =>
        Render(ProxyResources.Generate(proxy, push, listenerNames), push.VersionInfo, proxy.Id);

    public static string Render(ProxyResources resources, string version, string proxyId)
    {
        var json = new StringBuilder();
        json.Append("{\n  \"proxy\": ").Append(System.Text.Json.JsonSerializer.Serialize(proxyId))
            .Append(",\n  \"version\": ").Append(System.Text.Json.JsonSerializer.Serialize(version));
        Section(json, "listeners", resources.Listeners);
        Section(json, "routes", resources.Routes);
        Section(json, "clusters", resources.Clusters);
        Section(json, "endpoints", resources.Endpoints);
        json.Append("\n}\n");
        return json.ToString();
    }

    private static void Section(StringBuilder json, string name, IReadOnlyList<XdsResource> resources)
    {
        json.Append(",\n  \"").Append(name).Append("\": [");
        for (var i = 0; i < resources.Count; i++)
        {
            json.Append(i == 0 ? "\n    " : ",\n    ");
            json.Append(XdsJson.Format(resources[i].Message).Replace("\n", "\n    ", StringComparison.Ordinal));
        }

        json.Append(resources.Count == 0 ? "]" : "\n  ]");
    }
}
