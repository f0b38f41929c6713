using System.Text.Json.Nodes;

namespace Weft.Control.Tests.Interop;

/// <summary>
/// What client.js does: which target it calls, how often, with which headers. Count mode
/// (<see cref="GrpcXdsClient.RunAsync"/>) makes <see cref="Calls"/> calls; stream mode
/// (<see cref="GrpcXdsClient.StartStreamAsync"/>) starts one every <see cref="Interval"/> until stopped
/// or <see cref="MaxCalls"/>. Every mode ends by itself at <see cref="MaxDuration"/>, cancelling calls
/// still in flight.
/// </summary>
public sealed record ClientRun
{
    /// <summary><c>xds:///HOST:PORT</c> (see <see cref="GrpcXdsClient.XdsTarget"/>), or <c>127.0.0.1:PORT</c> for a direct client.</summary>
    public required string Target { get; init; }

    public int Calls { get; init; } = 1;

    /// <summary>Calls in flight at once.</summary>
    public int Concurrency { get; init; } = 1;

    /// <summary>Headers on every call; <c>{i}</c> in a value becomes the call's index, <c>{i%N}</c> the index modulo N.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>();

    /// <summary>Per-call deadline; none by default.</summary>
    public TimeSpan? Deadline { get; init; }

    public string Payload { get; init; } = "ping";

    public TimeSpan Interval { get; init; } = TimeSpan.FromMilliseconds(20);

    public int MaxCalls { get; init; } = 10_000;

    public TimeSpan MaxDuration { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Stream mode: how long calls in flight may finish after a stop before they are cancelled.</summary>
    public TimeSpan Drain { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Direct client only: a gRPC service config (JSON) for the channel, e.g. a retryPolicy, so the
    /// harness can check its attempt counting without a control plane. An xDS client gets its
    /// service config from the control plane.
    /// </summary>
    public string? ServiceConfigJson { get; init; }

    internal string ToJson(string mode, bool direct)
    {
        var json = new JsonObject
        {
            ["target"] = Target,
            ["direct"] = direct,
            ["mode"] = mode,
            ["calls"] = Calls,
            ["concurrency"] = Concurrency,
            ["metadata"] = new JsonObject([.. Metadata.Select(h => KeyValuePair.Create(h.Key, (JsonNode?)h.Value))]),
            ["payload"] = Payload,
            ["intervalMs"] = Milliseconds(Interval),
            ["maxCalls"] = MaxCalls,
            ["maxDurationMs"] = Milliseconds(MaxDuration),
            ["drainMs"] = Milliseconds(Drain),
        };
        if (Deadline is { } deadline)
        {
            json["deadlineMs"] = Milliseconds(deadline);
        }

        if (ServiceConfigJson is not null)
        {
            json["serviceConfig"] = JsonNode.Parse(ServiceConfigJson);
        }

        return json.ToJsonString();
    }

    private static int Milliseconds(TimeSpan span) => (int)Math.Ceiling(span.TotalMilliseconds);
}
