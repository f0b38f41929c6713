using Google.Protobuf;
using Weft.Proxy.Snapshot;
using Weft.Proxy.Snapshot.Listeners;
using Weft.Proxy.Xds;
using Weft.Xds;
using Weft.Xds.Envoy.Config.Listener.V3;
using NetworkExtAuthz = Weft.Xds.Envoy.Extensions.Filters.Network.ExtAuthz.V3.ExtAuthz;
using NetworkRbac = Weft.Xds.Envoy.Extensions.Filters.Network.Rbac.V3.RBAC;

namespace Weft.Proxy.Authorization;

/// <summary>
/// The authorization filters of a filter chain before its terminal filter (network RBAC and ext_authz, Istio's TCP
/// authorization), compiled once per configuration. A connection is checked once, when its chain is chosen and before
/// anything is forwarded: there is no request, so only connection facts (addresses, ports, SNI, the peer's identity)
/// can match, and ext_authz asks its gRPC service about the connection; a refused connection is closed.
/// </summary>
/// <remarks>
/// The connection pipeline calls <see cref="AllowsAsync"/> right after choosing the chain (and its TLS termination) and
/// before connecting upstream. The HTTP path re-checks a chain's RBAC per request with <see cref="Evaluate"/> (same
/// facts, same answer); ext_authz is not asked again per request.
/// </remarks>
internal sealed class NetworkAuthorization
{
    private readonly object[] _filters;

    private readonly bool _asks;

    private NetworkAuthorization(object[] filters)
    {
        _filters = filters;
        _asks = filters.Any(f => f is ExtAuthzFilter);
    }

    public IEnumerable<RbacCounters> Counters => _filters.OfType<RbacFilter>().Select(f => f.Counters);

    public IEnumerable<ExtAuthzCounters> ExtAuthzCounters => _filters.OfType<ExtAuthzFilter>().Select(f => f.Counters);

    /// <summary>Whether a network filter is one this compiles (RBAC, ext_authz).</summary>
    public static bool Handles(string? typeUrl) => typeUrl is TypeUrls.NetworkRbac or TypeUrls.NetworkExtAuthz;

    /// <summary>The authorization of a chain's network filters (in order); null when it has none.</summary>
    public static NetworkAuthorization? Compile(IEnumerable<Filter> filters)
    {
        var compiled = new List<object>();
        foreach (var filter in filters)
        {
            try
            {
                switch (filter.TypedConfig?.TypeUrl)
                {
                    case TypeUrls.NetworkRbac:
                        var rbac = filter.TypedConfig.Unpack<NetworkRbac>();
                        compiled.Add(new RbacFilter(
                            RbacFilter.NetworkName,
                            rbac.Rules is null ? null : RbacEngine.Compile(rbac.Rules),
                            rbac.ShadowRules is null ? null : RbacEngine.Compile(rbac.ShadowRules),
                            rbac.ShadowRulesStatPrefix,
                            new RbacCounters(rbac.StatPrefix, string.Empty, rbac.ShadowRulesStatPrefix)));
                        break;
                    case TypeUrls.NetworkExtAuthz:
                        var extAuthz = filter.TypedConfig.Unpack<NetworkExtAuthz>();
                        compiled.Add(new ExtAuthzFilter(
                            extAuthz.FilterEnabledMetadata is { } enabled ? MetadataValueMatch.Compile(enabled) : null,
                            extAuthz.FailureModeAllow,
                            failureModeAllowHeaderAdd: false,
                            statusOnError: 0,
                            ExtAuthzGrpcService.Compile(extAuthz.GrpcService, extAuthz.IncludePeerCertificate),
                            new ExtAuthzCounters(extAuthz.StatPrefix + ".")));
                        break;
                }
            }
            catch (XdsRejectedException e)
            {
                throw new XdsRejectedException($"network filter {filter.Name}: {e.Message}");
            }
            catch (InvalidProtocolBufferException e)
            {
                throw new XdsRejectedException($"network filter {filter.Name} does not decode: {e.Message}");
            }
        }

        return compiled.Count == 0 ? null : new NetworkAuthorization(compiled.ToArray());
    }

    /// <summary>
    /// Why a connection with these facts may not go on, asking ext_authz services where the chain has them; null when
    /// it may. <paramref name="peer"/> is its verified mTLS identity and <paramref name="tls"/> its TLS termination, if any.
    /// </summary>
    public ValueTask<ConnectionDenial?> DeniesAsync(ConnectionFacts facts, PeerIdentity? peer, Tls.DownstreamTlsFeature? tls, ProxySnapshot snapshot, ExtAuthzClient? client, CancellationToken cancel)
    {
        var input = Input(facts, peer);
        return _asks ? EvaluateAsync(input, tls, snapshot, client, cancel) : ValueTask.FromResult(Evaluate(input, out var policy) ? null : ConnectionDenial.Rbac(policy));
    }

    /// <summary>Runs the RBAC filters only; <paramref name="policy"/> names the RBAC policy that refused, if one did.</summary>
    public bool Evaluate(AuthorizationInput input, out string? policy)
    {
        policy = null;
        foreach (var filter in _filters)
        {
            if (filter is RbacFilter rbac && !rbac.Allows(input, out policy, out _))
            {
                return false;
            }
        }

        return true;
    }

    private async ValueTask<ConnectionDenial?> EvaluateAsync(AuthorizationInput input, Tls.DownstreamTlsFeature? tls, ProxySnapshot snapshot, ExtAuthzClient? client, CancellationToken cancel)
    {
        foreach (var filter in _filters)
        {
            if (filter is RbacFilter rbac && !rbac.Allows(input, out var policy, out _))
            {
                return ConnectionDenial.Rbac(policy);
            }

            if (filter is ExtAuthzFilter extAuthz && extAuthz.AppliesTo(input))
            {
                var result = client is not null && extAuthz.Service is ExtAuthzGrpcService grpc
                    ? await client.CheckConnectionAsync(grpc, snapshot, input, tls, cancel).ConfigureAwait(false)
                    : ExtAuthzResult.Error("no authorization client");
                var allowed = result.Outcome == ExtAuthzOutcome.Ok || (result.Outcome == ExtAuthzOutcome.Error && extAuthz.AllowsWithoutService);
                extAuthz.Counters.Count(result.Outcome, allowed);
                if (!allowed)
                {
                    return ConnectionDenial.ExtAuthz;
                }
            }
        }

        return null;
    }

    /// <summary>A connection as RBAC sees it: no request; without a connection manager the remote address is the peer's.</summary>
    public static AuthorizationInput Input(ConnectionFacts facts, PeerIdentity? peer) => new()
    {
        DirectRemoteAddress = facts.SourceAddress,
        DirectRemotePort = facts.SourcePort,
        RemoteAddress = facts.SourceAddress,
        DestinationAddress = facts.DestinationAddress,
        DestinationPort = facts.DestinationPort,
        ServerName = facts.ServerName ?? string.Empty,
        Peer = peer,
    };
}

/// <summary>
/// Why a connection was refused, as Envoy records it for the access log: network RBAC sets the connection termination
/// details (<c>rbac_access_denied_matched_policy[NAME]</c>, <c>[none]</c> when no ALLOW policy matched); network
/// ext_authz the response flag <c>UAEX</c>.
/// </summary>
internal sealed record ConnectionDenial(string Flags, string TerminationDetails)
{
    public static readonly ConnectionDenial ExtAuthz = new("UAEX", string.Empty);

    public static ConnectionDenial Rbac(string? policy) => new(string.Empty, $"rbac_access_denied_matched_policy[{(string.IsNullOrEmpty(policy) ? "none" : policy)}]");
}
