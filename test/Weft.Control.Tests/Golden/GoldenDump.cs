using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Weft.Control.Config;
using Weft.Control.Generators;
using Weft.Control.Hosting;
using Weft.Control.Model;
using Weft.Control.Tests.Support;

namespace Weft.Control.Tests.Golden;

/// <summary>
/// What a golden file holds: the config dump of one proxy (the JSON <c>/debug/config_dump</c> serves, via
/// <see cref="ConfigDump"/> and XdsJson) with every resource list sorted by name and the fixed push version, followed by
/// what the config store rejected, so a file that Weft refuses shows why its output is empty.
/// </summary>
internal static class GoldenDump
{
    private static readonly JsonSerializerOptions Readable = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string Render(ProxyNode proxy, ProxyResources resources, IReadOnlyList<ConfigRejection> rejections)
    {
        var sorted = new ProxyResources(ByName(resources.Listeners), ByName(resources.Routes), ByName(resources.Clusters), ByName(resources.Endpoints));
        var dump = ConfigDump.Render(sorted, TestMesh.Version, proxy.Id);
        if (rejections.Count == 0)
        {
            return dump;
        }

        const string End = "\n}\n";
        if (!dump.EndsWith(End, StringComparison.Ordinal))
        {
            throw new InvalidOperationException("ConfigDump.Render no longer ends with a closing brace; update GoldenDump");
        }

        var json = new StringBuilder(dump, 0, dump.Length - End.Length, dump.Length + 256);
        json.Append(",\n  \"rejected\": [");
        var lines = rejections.SelectMany(r => r.Errors.Select(e => e.Location.IsKnown ? e.ToString() : $"{r.File}: {e}")).Order(StringComparer.Ordinal).ToArray();
        for (var i = 0; i < lines.Length; i++)
        {
            json.Append(i == 0 ? "\n    " : ",\n    ").Append(JsonSerializer.Serialize(lines[i], Readable));
        }

        return json.Append("\n  ]").Append(End).ToString();
    }

    private static XdsResource[] ByName(IReadOnlyList<XdsResource> resources) =>
        resources.OrderBy(r => r.Name, StringComparer.Ordinal).ToArray();
}
