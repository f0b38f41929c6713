using Microsoft.Extensions.Primitives;
using Weft.Proxy.Snapshot;

namespace Weft.Proxy.Http.Mirroring;

/// <summary>
/// A copy of a request for a mirror cluster, taken as the request went upstream (path rewritten, headers edited), with
/// the Host it goes with and, for a request with a body, the body once the client has sent all of it.
/// </summary>
internal sealed record MirrorRequest(
    ClusterRuntime Cluster,
    string Method,
    string PathAndQuery,
    string Host,
    IReadOnlyList<KeyValuePair<string, StringValues>> Headers,
    Task<byte[]?>? Body,
    Version Version,
    TimeSpan Timeout);
