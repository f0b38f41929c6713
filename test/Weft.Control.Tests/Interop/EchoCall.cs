using System.Text.Json;
using Grpc.Core;

namespace Weft.Control.Tests.Interop;

/// <summary>
/// A call one backend received (every attempt of a retried call is one EchoCall).
/// <see cref="Attempt"/> counts calls with this <see cref="CallId"/> at this backend; <see cref="Seq"/>
/// counts all calls at this backend; <see cref="Code"/> is the status the backend answers with.
/// <see cref="Metadata"/> holds the request headers (transport ones left out), e.g.
/// <c>grpc-previous-rpc-attempts</c> on retries.
/// </summary>
public sealed record EchoCall(string Backend, string? CallId, int Attempt, int Seq, StatusCode Code, IReadOnlyDictionary<string, string> Metadata)
{
    internal static EchoCall FromJson(JsonElement e)
    {
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var header in e.GetProperty("metadata").EnumerateObject())
        {
            metadata[header.Name] = header.Value.GetString() ?? "";
        }

        return new EchoCall(
            e.GetProperty("name").GetString()!,
            e.GetProperty("callId").GetString(),
            e.GetProperty("attempt").GetInt32(),
            e.GetProperty("seq").GetInt32(),
            (StatusCode)e.GetProperty("code").GetInt32(),
            metadata);
    }
}
