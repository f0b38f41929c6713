using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Weft.Control.Config;
using Weft.Control.Metrics;
using Weft.Control.Xds;

namespace Weft.Control.Hosting;

/// <summary>
/// The control plane's HTTP API (Istio's port 15014): <c>/ready</c>, <c>/metrics</c>, and <c>/debug/configz</c> (resources in
/// force and rejections), <c>/debug/syncz</c> (per proxy and type: sent, acknowledged, rejected), <c>/debug/registryz</c>
/// (services and endpoints), <c>/debug/config_dump?proxyID=</c> (what a connected proxy is served).
/// </summary>
internal static class DebugApi
{
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static void Map(WebApplication app, ConfigStore store, XdsServer xds, ControlMetrics metrics, ConfigController controller)
    {
        app.MapGet("/ready", () => Results.Text("ready\n"));
        app.MapGet("/metrics", async (HttpContext http) =>
        {
            http.Response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
            await metrics.WriteAsync(http.Response.Body, http.RequestAborted).ConfigureAwait(false);
        });
        app.MapGet("/debug/configz", () => Results.Json(ConfigzView.Of(store.Current, controller.Directory), Json));
        app.MapGet("/debug/syncz", () => Results.Json(xds.Connections.Select(c => c.Snapshot()).OrderBy(s => s.ProxyId, StringComparer.Ordinal).ToArray(), Json));
        app.MapGet("/debug/registryz", () => Results.Json(RegistryzView.Of(xds.Current), Json));
        app.MapGet("/debug/config_dump", (string? proxyID) =>
        {
            var connection = xds.Connections.FirstOrDefault(c => c.Proxy.Id == proxyID || c.Id == proxyID);
            return connection is null
                ? Results.NotFound($"no connected proxy with id \"{proxyID}\"; see /debug/syncz for the connected ones\n")
                : Results.Text(ConfigDump.Render(connection.Proxy, xds.Current), "application/json");
        });
    }
}
