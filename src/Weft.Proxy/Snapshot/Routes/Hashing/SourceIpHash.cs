using Microsoft.AspNetCore.Http;
using Weft.Proxy.LoadBalancing;
using Weft.Proxy.Snapshot.Matching;

namespace Weft.Proxy.Snapshot.Routes.Hashing;

/// <summary><c>connection_properties.source_ip</c>: the downstream peer's IP address, without its port.</summary>
internal sealed class SourceIpHash(bool terminal) : HashMethod(terminal)
{
    public override ulong? Evaluate(HttpContext context, RouteRequest request) =>
        context.Connection.RemoteIpAddress is { } ip ? XxHash64.Hash(ip.ToString().AsSpan()) : null;
}
