using System.Text.Json;

namespace Weft.Control.Tests.Interop;

/// <summary>Reads the <c>event</c> and <c>name</c> fields every JSON line of servers.js and client.js has.</summary>
internal static class EventJson
{
    public static string? Kind(JsonElement e) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty("event", out var kind) ? kind.GetString() : null;

    public static bool Is(JsonElement e, string kind) => Kind(e) == kind;

    public static bool Is(JsonElement e, string kind, string name) =>
        Is(e, kind) && e.TryGetProperty("name", out var n) && n.GetString() == name;

    public static string Message(JsonElement e) =>
        e.TryGetProperty("message", out var m) ? m.GetString() ?? "" : e.GetRawText();
}
