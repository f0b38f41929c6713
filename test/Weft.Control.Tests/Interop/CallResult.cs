using System.Text.Json;
using Grpc.Core;

namespace Weft.Control.Tests.Interop;

/// <summary>
/// One finished call of client.js. <see cref="Backend"/> and <see cref="Attempt"/> come from the reply,
/// or from a failing backend's trailers, and are null when no backend answered (e.g. UNAVAILABLE from
/// the client itself, a drop, a deadline). <see cref="ClientAttempts"/> is how many attempts gRPC made
/// (retries + 1), read from the grpc-previous-rpc-attempts header grpc-js adds to a retried call's response.
/// </summary>
public sealed record CallResult(int Index, string CallId, bool Ok, StatusCode Code, string Details, string? Backend, int? Attempt, int ClientAttempts, double ElapsedMs)
{
    internal static CallResult FromJson(JsonElement e) => new(
        e.GetProperty("i").GetInt32(),
        e.GetProperty("callId").GetString()!,
        e.GetProperty("ok").GetBoolean(),
        (StatusCode)e.GetProperty("code").GetInt32(),
        e.GetProperty("details").GetString() ?? "",
        e.GetProperty("backend").GetString(),
        e.GetProperty("attempt").ValueKind == JsonValueKind.Number ? e.GetProperty("attempt").GetInt32() : null,
        e.GetProperty("clientAttempts").GetInt32(),
        e.GetProperty("elapsedMs").GetDouble());
}
