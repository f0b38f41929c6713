using System.Net;
using Google.Protobuf.WellKnownTypes;
using Weft.Proxy.Authorization;
using Weft.Proxy.Http;
using Weft.Proxy.Snapshot.Matching;

namespace Weft.Proxy.Tests.Authorization;

/// <summary>
/// A request (or a connection, for TCP chains) described by what authorization looks at, as the inbound connection
/// manager would present it: the client's address, X-Forwarded-For, the peer's SPIFFE id when mTLS verified one, the
/// validated JWT's claims, and the request itself.
/// </summary>
internal sealed record Probe
{
    public string Method { get; init; } = "GET";

    /// <summary>The normalized path with its query.</summary>
    public string Path { get; init; } = "/";

    public string Host { get; init; } = "web.default.svc.cluster.local";

    public int Port { get; init; } = 8080;

    public string DestinationIp { get; init; } = "10.0.0.1";

    public string SourceIp { get; init; } = "10.0.0.9";

    public string? ForwardedFor { get; init; }

    /// <summary>The peer certificate's URI SAN; null for plaintext.</summary>
    public string? Peer { get; init; }

    public string Sni { get; init; } = string.Empty;

    public IReadOnlyList<(string Name, string Value)> Headers { get; init; } = [];

    /// <summary>The validated JWT's payload as JSON; null when the request carried none.</summary>
    public string? Jwt { get; init; }

    /// <summary>Another filter's dynamic metadata (for <c>experimental.envoy.filters.*</c>): namespace, key, value.</summary>
    public (string Filter, string Key, string Value)? EnvoyMetadata { get; init; }

    /// <summary>The input as the inbound connection manager (no trusted hops, remote address not used) or a TCP chain sees it.</summary>
    public AuthorizationInput Input(bool tcp)
    {
        var metadata = new DynamicMetadata();
        if (Jwt is { } jwt)
        {
            metadata.SetJwtPayload(Struct.Parser.ParseJson(jwt));
        }

        if (EnvoyMetadata is { } extra)
        {
            metadata.Set(extra.Filter, extra.Key, Value.ForString(extra.Value));
        }

        var source = IPAddress.Parse(SourceIp);
        return new AuthorizationInput
        {
            Request = tcp ? null : RouteRequest.For(Path, Host, Method, Headers.ToArray()),
            DirectRemoteAddress = source,
            DirectRemotePort = 40000,
            RemoteAddress = tcp ? source : DownstreamAddress.FromForwardedFor(ForwardedFor ?? string.Empty, 0) ?? source,
            DestinationAddress = IPAddress.Parse(DestinationIp),
            DestinationPort = Port,
            ServerName = Sni,
            Peer = Peer is null ? null : PeerIdentity.Spiffe(Peer),
            Metadata = metadata,
        };
    }

    public override string ToString()
    {
        var parts = new List<string> { $"{Method} {Host}{Path} :{Port}", $"from {SourceIp}" };
        if (ForwardedFor is not null)
        {
            parts.Add($"xff {ForwardedFor}");
        }

        if (Peer is not null)
        {
            parts.Add($"peer {Peer}");
        }

        if (Jwt is not null)
        {
            parts.Add($"jwt {Jwt}");
        }

        parts.AddRange(Headers.Select(h => $"{h.Name}: {h.Value}"));
        if (Sni.Length > 0)
        {
            parts.Add($"sni {Sni}");
        }

        if (DestinationIp != "10.0.0.1")
        {
            parts.Add($"to {DestinationIp}");
        }

        if (EnvoyMetadata is { } m)
        {
            parts.Add($"metadata {m.Filter}[{m.Key}]={m.Value}");
        }

        return string.Join(", ", parts);
    }
}
