using System.Text.Json.Nodes;
using Grpc.Core;

namespace Weft.Control.Tests.Interop;

/// <summary>
/// How one Echo backend of servers.js answers. Without <see cref="FailStatus"/> it answers every call;
/// with it alone it fails every call; with <see cref="FailCount"/> only the first N calls since it was
/// configured; with <see cref="FailAttempts"/> attempts 1..N of each call (same x-call-id), so gRPC's
/// retries of a call succeed. <see cref="Delay"/> holds every answer (or failure) back.
/// </summary>
public sealed record EchoBehaviour
{
    public static EchoBehaviour Normal { get; } = new();

    public StatusCode? FailStatus { get; init; }

    public int? FailCount { get; init; }

    public int? FailAttempts { get; init; }

    /// <summary>Status details of failures (servers.js says which backend failed which call otherwise).</summary>
    public string? FailMessage { get; init; }

    public TimeSpan? Delay { get; init; }

    public static EchoBehaviour Fail(StatusCode status) => new() { FailStatus = status };

    public static EchoBehaviour FailFirst(int calls, StatusCode status) => new() { FailStatus = status, FailCount = calls };

    public static EchoBehaviour FailFirstAttempts(int attempts, StatusCode status) => new() { FailStatus = status, FailAttempts = attempts };

    public static EchoBehaviour Delayed(TimeSpan delay) => new() { Delay = delay };

    internal JsonObject ToJson()
    {
        var json = new JsonObject();
        if (FailStatus is { } status)
        {
            json["failStatus"] = (int)status;
        }

        if (FailCount is { } count)
        {
            json["failCount"] = count;
        }

        if (FailAttempts is { } attempts)
        {
            json["failAttempts"] = attempts;
        }

        if (FailMessage is { } message)
        {
            json["failMessage"] = message;
        }

        if (Delay is { } delay)
        {
            json["delayMs"] = (int)delay.TotalMilliseconds;
        }

        return json;
    }
}
