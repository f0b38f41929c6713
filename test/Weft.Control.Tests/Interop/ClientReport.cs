using System.Globalization;
using System.Text;
using System.Text.Json;
using Grpc.Core;

namespace Weft.Control.Tests.Interop;

/// <summary>
/// What a client.js run did: every call's result and the summary client.js printed last.
/// <see cref="ByBackend"/> counts every result naming a backend (ok or not); <see cref="ByCode"/> every
/// result. <see cref="StoppedBy"/> is count, stdin, maxCalls or maxDuration. ToString() summarises the
/// run with node's stderr, for assertion messages.
/// </summary>
public sealed class ClientReport
{
    private ClientReport(IReadOnlyList<CallResult> results, JsonElement done, string diagnostics)
    {
        Results = results;
        Started = done.GetProperty("started").GetInt32();
        Finished = done.GetProperty("finished").GetInt32();
        Ok = done.GetProperty("ok").GetInt32();
        Failed = done.GetProperty("failed").GetInt32();
        ElapsedMs = done.GetProperty("elapsedMs").GetDouble();
        StoppedBy = done.GetProperty("stoppedBy").GetString() ?? "";
        ByBackend = done.GetProperty("byBackend").EnumerateObject()
            .ToDictionary(p => p.Name, p => p.Value.GetInt32(), StringComparer.Ordinal);
        ByCode = done.GetProperty("byCode").EnumerateObject()
            .ToDictionary(p => (StatusCode)int.Parse(p.Name, CultureInfo.InvariantCulture), p => p.Value.GetInt32());
        Diagnostics = diagnostics;
    }

    public IReadOnlyList<CallResult> Results { get; }

    public int Started { get; }

    public int Finished { get; }

    public int Ok { get; }

    public int Failed { get; }

    public double ElapsedMs { get; }

    public string StoppedBy { get; }

    public IReadOnlyDictionary<string, int> ByBackend { get; }

    public IReadOnlyDictionary<StatusCode, int> ByCode { get; }

    /// <summary>client.js's stderr and last stdout lines.</summary>
    public string Diagnostics { get; }

    public int CountOf(string backend) => ByBackend.GetValueOrDefault(backend);

    public int CountOf(StatusCode code) => ByCode.GetValueOrDefault(code);

    public override string ToString()
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"{Finished}/{Started} calls finished ({Ok} ok, {Failed} failed) in {ElapsedMs} ms, stopped by {StoppedBy}; ");
        text.Append("by backend {").AppendJoin(", ", ByBackend.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}: {p.Value}")).Append("}; ");
        text.Append("by code {").AppendJoin(", ", ByCode.OrderBy(p => p.Key).Select(p => $"{p.Key}: {p.Value}")).Append('}');
        foreach (var failure in Results.Where(r => !r.Ok).DistinctBy(r => (r.Code, r.Details)).Take(5))
        {
            text.Append(CultureInfo.InvariantCulture, $"\n  e.g. call {failure.Index}: {failure.Code} \"{failure.Details}\" from {failure.Backend ?? "no backend"}");
        }

        return text.Append('\n').Append(Diagnostics).ToString();
    }

    internal static ClientReport FromEvents(IReadOnlyList<JsonElement> events, string diagnostics)
    {
        var results = events.Where(e => EventJson.Is(e, "result")).Select(CallResult.FromJson).ToList();
        var done = events.Last(e => EventJson.Is(e, "done"));
        return new ClientReport(results, done, diagnostics);
    }
}
