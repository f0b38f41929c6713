using Google.Protobuf;
using Weft.Proxy.Snapshot.Listeners;
using Weft.Proxy.Xds;
using Weft.Xds;
using Weft.Xds.Envoy.Config.Listener.V3;
using NetworkExtAuthz = Weft.Xds.Envoy.Extensions.Filters.Network.ExtAuthz.V3.ExtAuthz;
using NetworkRbac = Weft.Xds.Envoy.Extensions.Filters.Network.Rbac.V3.RBAC;

namespace Weft.Proxy.Authorization;

/// <summary>
/// The authorization filters of a filter chain before its terminal filter (network RBAC and ext_authz, Istio's TCP
/// authorization), compiled once per configuration. A connection is checked once, when its chain is chosen: there is no
/// request, so only connection facts (addresses, ports, SNI, the peer's identity) can match; a refused connection is
/// closed.
/// </summary>
/// <remarks>
/// The TCP path calls <see cref="Allows"/> right after choosing the chain and before connecting upstream, with the
/// verified peer identity once mTLS termination provides one. The HTTP path checks a chain's network filters per
/// request (same facts, same answer).
/// </remarks>
internal sealed class NetworkAuthorization
{
    private readonly object[] _filters;

    private NetworkAuthorization(object[] filters) => _filters = filters;

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
                        // The network filter only speaks gRPC, which is not called yet: its checks fail as if unreachable.
                        compiled.Add(new ExtAuthzFilter(
                            extAuthz.FilterEnabledMetadata is { } enabled ? MetadataValueMatch.Compile(enabled) : null,
                            extAuthz.FailureModeAllow,
                            failureModeAllowHeaderAdd: false,
                            statusOnError: 0,
                            service: null,
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

    /// <summary>Whether a connection with these facts may go on; <paramref name="peer"/> is its verified mTLS identity, if any.</summary>
    public bool Allows(ConnectionFacts facts, PeerIdentity? peer = null) => Evaluate(Input(facts, peer), out _);

    /// <summary>Runs the filters; <paramref name="policy"/> names the RBAC policy that refused, if one did.</summary>
    public bool Evaluate(AuthorizationInput input, out string? policy)
    {
        policy = null;
        foreach (var filter in _filters)
        {
            if (filter is RbacFilter rbac && !rbac.Allows(input, out policy, out _))
            {
                return false;
            }

            if (filter is ExtAuthzFilter extAuthz && extAuthz.AppliesTo(input))
            {
                extAuthz.Counters.Count(ExtAuthzOutcome.Error, extAuthz.AllowsWithoutService);
                if (!extAuthz.AllowsWithoutService)
                {
                    return false;
                }
            }
        }

        return true;
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
