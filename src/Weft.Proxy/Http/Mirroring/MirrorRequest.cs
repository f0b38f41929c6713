using Microsoft.Extensions.Primitives;
using Weft.Proxy.Snapshot;

namespace Weft.Proxy.Http.Mirroring;

/// <summary>
/// A copy of a request for a mirror cluster, taken as the request went upstream (path rewritten, headers edited), with
/// the Host it goes with and, for a request with a body, a stream that follows the body as the client sends it (see
/// <see cref="Retries.ReplayableRequestBody.Follow"/>) and its length when the client gave one. Whoever takes the
/// request disposes the body stream.
/// </summary>
internal sealed record MirrorRequest(
    ClusterRuntime Cluster,
    string Method,
    string PathAndQuery,
    string Host,
    IReadOnlyList<KeyValuePair<string, StringValues>> Headers,
    Stream? Body,
    long? ContentLength,
    Version Version,
    TimeSpan Timeout);
