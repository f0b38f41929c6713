using System.Net;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Weft.Proxy.Snapshot.Filters;
using Weft.Proxy.Authorization;
using Weft.Proxy.Snapshot.Routes;
using Weft.Proxy.Xds;
using Weft.Xds;
using Weft.Xds.Envoy.Config.Core.V3;
using Weft.Xds.Envoy.Config.Listener.V3;
using Weft.Xds.Envoy.Extensions.Filters.Network.HttpConnectionManager.V3;
using Weft.Xds.Envoy.Extensions.Filters.Network.TcpProxy.V3;
using SocketAddress = Weft.Xds.Envoy.Config.Core.V3.SocketAddress;
using Hcm = Weft.Xds.Envoy.Extensions.Filters.Network.HttpConnectionManager.V3.HttpConnectionManager;
using HttpFault = Weft.Xds.Envoy.Extensions.Filters.Http.Fault.V3.HTTPFault;
using HttpRbac = Weft.Xds.Envoy.Extensions.Filters.Http.Rbac.V3.RBAC;
using NetworkRbac = Weft.Xds.Envoy.Extensions.Filters.Network.Rbac.V3.RBAC;
using RbacAction = Weft.Xds.Envoy.Config.Rbac.V3.RBAC.Types.Action;

using Weft.Proxy.Telemetry.Metrics;

namespace Weft.Proxy.Snapshot.Listeners;

/// <summary>
/// Compiles a Listener: its socket address, filter chains (HTTP connection managers, TCP proxies) and default chain.
/// Refused as Envoy refuses them: chains with the same match, a connection manager that is not the last filter or
/// whose router is missing or not last, filters of unknown types (unless optional), listeners with nothing to serve.
/// </summary>
internal static class ListenerCompiler
{
    private static readonly HashSet<string> ListenerFilterTypes = new(StringComparer.Ordinal)
    {
        TypeUrls.OriginalDst, TypeUrls.OriginalSrc, TypeUrls.HttpInspector, TypeUrls.TlsInspector,
    };

    public static ListenerModel Compile(Listener listener)
    {
        if (listener.ApiListener is not null)
        {
            throw new XdsRejectedException("api_listener (a proxyless client's listener) is not for a sidecar");
        }

        var (ip, port, pipe) = Where(listener.Address);

        if (listener.ListenerSpecifierCase == Listener.ListenerSpecifierOneofCase.InternalListener)
        {
            throw new XdsRejectedException("internal listeners are not supported");
        }

        var bufferLimit = listener.PerConnectionBufferLimitBytes ?? ConnectionManagerModel.DefaultBufferLimit;
        var (inspection, originalSource) = Inspection(listener);
        var chains = new List<FilterChainModel>();
        var keys = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < listener.FilterChains.Count; i++)
        {
            var chain = Chain(listener.FilterChains[i], i, bufferLimit);
            if (keys.TryGetValue(chain.Match.Key, out var other))
            {
                throw new XdsRejectedException($"filter chains {other} and {chain.Name} have the same match");
            }

            keys[chain.Match.Key] = chain.Name;
            chains.Add(chain);
        }

        var fallback = listener.DefaultFilterChain is { } d ? Chain(d, -1, bufferLimit) : null;
        if (chains.Count == 0 && fallback is null)
        {
            throw new XdsRejectedException("the listener has no filter chains");
        }

        return new ListenerModel(
            listener.Name,
            ip,
            port,
            listener.BindToPort ?? true,
            listener.UseOriginalDst ?? false,
            listener.TrafficDirection,
            chains,
            fallback)
        {
            Inspection = inspection,
            Transparent = listener.Transparent == true,
            OriginalSource = originalSource,
            Pipe = pipe,
            AccessLogs = AccessLogs(listener.AccessLog),
        };
    }

    /// <summary>An IP address and port, or a unix socket path (<c>@name</c> in the abstract namespace).</summary>
    private static (IPAddress Address, int Port, string? Pipe) Where(Address? address)
    {
        if (address?.AddressCase == Address.AddressOneofCase.Pipe)
        {
            if (address.Pipe.Path.Length == 0)
            {
                throw new XdsRejectedException("the listener's unix socket has no path");
            }

            return (IPAddress.None, 0, address.Pipe.Path);
        }

        if (address?.SocketAddress is not { } socket)
        {
            throw new XdsRejectedException("the listener has no socket address");
        }

        if (!IPAddress.TryParse(socket.Address, out var ip) || socket.PortSpecifierCase != SocketAddress.PortSpecifierOneofCase.PortValue || socket.PortValue > 65535)
        {
            throw new XdsRejectedException($"\"{socket.Address}:{socket.PortValue}\" is not an IP address and port");
        }

        return (ip, (int)socket.PortValue, null);
    }

    /// <summary>
    /// The listener filters: original_dst (the capture listeners read the original destination anyway), original_src,
    /// tls_inspector and http_inspector with the ports they are off for, and the time they may wait for the client.
    /// </summary>
    private static (ListenerInspection Inspection, OriginalSourceFilter? OriginalSource) Inspection(Listener listener)
    {
        PortPredicate? tls = null;
        PortPredicate? http = null;
        OriginalSourceFilter? originalSource = null;
        foreach (var filter in listener.ListenerFilters)
        {
            if (filter.ConfigTypeCase == ListenerFilter.ConfigTypeOneofCase.ConfigDiscovery)
            {
                throw new XdsRejectedException($"listener filter {filter.Name} is discovered (ECDS), which is not supported");
            }

            var type = filter.TypedConfig?.TypeUrl ?? filter.Name switch
            {
                "envoy.filters.listener.tls_inspector" => TypeUrls.TlsInspector,
                "envoy.filters.listener.http_inspector" => TypeUrls.HttpInspector,
                "envoy.filters.listener.original_dst" => TypeUrls.OriginalDst,
                "envoy.filters.listener.original_src" => TypeUrls.OriginalSrc,
                _ => string.Empty,
            };
            if (!ListenerFilterTypes.Contains(type))
            {
                throw new XdsRejectedException($"listener filter {filter.Name} ({filter.TypedConfig?.TypeUrl ?? "no config"}) is not supported");
            }

            // A filter that is off everywhere might as well be absent; otherwise it runs except where its predicate holds.
            var disabled = filter.FilterDisabled is { } predicate ? PortPredicate.Compile(predicate) : PortPredicate.Never;
            switch (type)
            {
                case TypeUrls.TlsInspector:
                    tls = disabled;
                    break;
                case TypeUrls.HttpInspector:
                    http = disabled;
                    break;
                case TypeUrls.OriginalSrc:
                    if (filter.FilterDisabled is not null)
                    {
                        throw new XdsRejectedException($"listener filter {filter.Name}: filter_disabled is not supported for original_src");
                    }

                    var config = filter.TypedConfig is { } any ? any.Unpack<Weft.Xds.Envoy.Extensions.Filters.Listener.OriginalSrc.V3.OriginalSrc>() : new();
                    originalSource = new OriginalSourceFilter(config.Mark);
                    break;
            }
        }

        var timeout = listener.ListenerFiltersTimeout is { } set
            ? (set.ToTimeSpan() == TimeSpan.Zero ? Timeout.InfiniteTimeSpan : set.ToTimeSpan())
            : ListenerInspection.DefaultTimeout;
        return (new ListenerInspection(tls, http, timeout, listener.ContinueOnListenerFiltersTimeout), originalSource);
    }

    private static FilterChainModel Chain(FilterChain chain, int index, uint bufferLimit)
    {
        var name = chain.Name.Length > 0 ? chain.Name : index < 0 ? "default" : $"#{index}";
        try
        {
            var match = ChainMatch.Compile(chain.FilterChainMatch);
            var tls = Tls.DownstreamTls.Compile(chain.TransportSocket);
            var action = Action(chain, bufferLimit);

            // Its match may still be chosen; the connection is then closed with the reason logged.
            return new FilterChainModel(name, match, tls?.Unservable is { } reason ? new UnsupportedChain(reason) : action) { Tls = tls?.Unservable is null ? tls : null };
        }
        catch (XdsRejectedException e)
        {
            throw new XdsRejectedException($"filter chain {name}: {e.Message}");
        }
    }

    private static ChainAction Action(FilterChain chain, uint bufferLimit)
    {
        if (chain.Filters.Count == 0)
        {
            throw new XdsRejectedException("it has no filters");
        }

        var authorization = new List<Filter>();
        ChainAction? action = null;
        string? exchange = null;
        StatsConfig? stats = null;
        for (var i = 0; i < chain.Filters.Count; i++)
        {
            var filter = chain.Filters[i];
            var last = i == chain.Filters.Count - 1;
            if (filter.ConfigTypeCase == Filter.ConfigTypeOneofCase.ConfigDiscovery)
            {
                throw new XdsRejectedException($"network filter {filter.Name} is discovered (ECDS), which is not supported");
            }

            var (configType, values) = MetadataExchangeFilters.Unwrap(filter.TypedConfig);
            if (configType == TypeUrls.MetadataExchange)
            {
                // Istio's TCP metadata exchange: it acts only on a TLS connection whose ALPN is its protocol.
                exchange = MetadataExchangeFilters.ProtocolOf(values) is { Length: > 0 } protocol ? protocol : throw new XdsRejectedException($"network filter {filter.Name}: the metadata exchange names no protocol");
                continue;
            }

            switch (filter.TypedConfig?.TypeUrl)
            {
                case TypeUrls.HttpConnectionManager:
                    Terminal(filter, last);
                    var manager = ConnectionManager(Unpack<Hcm>(filter)) with { BufferLimit = bufferLimit };
                    action = new HttpChain(manager, NetworkAuthorization.Compile(authorization));
                    break;
                case TypeUrls.TcpProxy:
                    Terminal(filter, last);
                    action = new TcpChain(TcpProxyCompiler.Compile(Unpack<TcpProxy>(filter)), NetworkAuthorization.Compile(authorization)) { PeerExchange = exchange, Stats = stats };
                    break;
                case TypeUrls.IstioStats:
                    // Istio's stats filter before the TCP proxy: the chain's connections count in the TCP metrics.
                    stats ??= Stats(filter.TypedConfig!, filter.Name);
                    break;
                case var type when NetworkAuthorization.Handles(type):
                    authorization.Add(filter);
                    break;
                default:
                    throw new XdsRejectedException($"network filter {filter.Name} ({filter.TypedConfig?.TypeUrl ?? "no config"}) is not supported");
            }
        }

        return action!;
    }

    private static void Terminal(Filter filter, bool last)
    {
        if (!last)
        {
            throw new XdsRejectedException($"the terminal filter {filter.Name} must be the last network filter");
        }
    }

    private static ConnectionManagerModel ConnectionManager(Hcm hcm)
    {
        var (authorization, filters, alpn, suppressEnvoyHeaders, peerHeaders, stats) = HttpFilters(hcm);
        string? rds = null;
        RouteTable? inline = null;
        switch (hcm.RouteSpecifierCase)
        {
            case Hcm.RouteSpecifierOneofCase.Rds:
                if (hcm.Rds.RouteConfigName.Length == 0)
                {
                    throw new XdsRejectedException("the connection manager's RDS names no route configuration");
                }

                if (hcm.Rds.ConfigSource?.ConfigSourceSpecifierCase is not (ConfigSource.ConfigSourceSpecifierOneofCase.Ads or ConfigSource.ConfigSourceSpecifierOneofCase.Self))
                {
                    throw new XdsRejectedException($"RDS from {hcm.Rds.ConfigSource?.ConfigSourceSpecifierCase.ToString() ?? "nowhere"} is not supported (only ADS)");
                }

                rds = hcm.Rds.RouteConfigName;
                break;
            case Hcm.RouteSpecifierOneofCase.RouteConfig:
                inline = RouteCompiler.Compile(hcm.RouteConfig);
                break;
            default:
                throw new XdsRejectedException("the connection manager has neither RDS nor an inline route configuration");
        }

        return new ConnectionManagerModel
        {
            RouteConfigName = rds,
            InlineRoutes = inline,
            UseRemoteAddress = hcm.UseRemoteAddress ?? false,
            SkipXffAppend = hcm.SkipXffAppend,
            XffNumTrustedHops = hcm.XffNumTrustedHops,
            ServerName = hcm.ServerName.Length > 0 ? hcm.ServerName : "envoy",
            ServerHeader = hcm.ServerHeaderTransformation switch
            {
                HttpConnectionManager.Types.ServerHeaderTransformation.AppendIfAbsent => ServerHeaderMode.AppendIfAbsent,
                HttpConnectionManager.Types.ServerHeaderTransformation.PassThrough => ServerHeaderMode.PassThrough,
                _ => ServerHeaderMode.Overwrite,
            },
            NormalizePath = hcm.NormalizePath ?? false,
            MergeSlashes = hcm.MergeSlashes,
            EscapedSlashes = hcm.PathWithEscapedSlashesAction switch
            {
                HttpConnectionManager.Types.PathWithEscapedSlashesAction.RejectRequest => EscapedSlashes.Reject,
                HttpConnectionManager.Types.PathWithEscapedSlashesAction.UnescapeAndRedirect => EscapedSlashes.UnescapeAndRedirect,
                HttpConnectionManager.Types.PathWithEscapedSlashesAction.UnescapeAndForward => EscapedSlashes.UnescapeAndForward,
                _ => EscapedSlashes.KeepUnchanged,
            },
            GenerateRequestId = hcm.GenerateRequestId ?? true,
            PreserveExternalRequestId = hcm.PreserveExternalRequestId,
            AlwaysSetRequestIdInResponse = hcm.AlwaysSetRequestIdInResponse,
            StreamIdleTimeout = hcm.StreamIdleTimeout is { } idle
                ? (idle.ToTimeSpan() == TimeSpan.Zero ? Timeout.InfiniteTimeSpan : idle.ToTimeSpan())
                : TimeSpan.FromMinutes(5),
            StripAnyHostPort = hcm.StripPortModeCase == Hcm.StripPortModeOneofCase.StripAnyHostPort && hcm.StripAnyHostPort,
            StripMatchingHostPort = hcm.StripMatchingHostPort,
            StripTrailingHostDot = hcm.StripTrailingHostDot,
            Via = hcm.Via,
            ForwardClientCert = hcm.ForwardClientCertDetails,
            ClientCertDetails = hcm.SetCurrentClientCertDetails,
            Upgrades = Upgrades(hcm),
            Authorization = authorization,
            HttpFilters = filters,
            Alpn = alpn,
            SuppressEnvoyHeaders = suppressEnvoyHeaders,
            PeerHeaders = peerHeaders,
            Stats = stats,
            AccessLogs = AccessLogs(hcm.AccessLog),
        };
    }

    /// <summary>
    /// The upgrade types the manager lets through. CONNECT is refused: a manager that allows it would have to terminate
    /// or forward CONNECT requests, which this proxy does not do (it tunnels CONNECT only as an explicit proxy).
    /// </summary>
    private static HashSet<string> Upgrades(Hcm hcm)
    {
        var upgrades = hcm.UpgradeConfigs.Where(u => u.Enabled ?? true).Select(u => u.UpgradeType).ToHashSet(StringComparer.OrdinalIgnoreCase);
        if (upgrades.Contains("CONNECT"))
        {
            throw new XdsRejectedException("upgrade_configs CONNECT (terminating or forwarding CONNECT in a connection manager) is not supported");
        }

        return upgrades;
    }

    /// <summary>File access logs as a connection manager, TCP proxy or listener asks for them; an unsupported one refuses the listener.</summary>
    internal static IReadOnlyList<Telemetry.AccessLog.AccessLogConfig> AccessLogs(IEnumerable<Weft.Xds.Envoy.Config.AccessLog.V3.AccessLog> logs)
    {
        try
        {
            return Telemetry.AccessLog.AccessLogConfig.FromXds(logs);
        }
        catch (FormatException e)
        {
            throw new XdsRejectedException(e.Message);
        }
    }

    /// <summary>
    /// Checks the HTTP filter chain and compiles what runs before the router: its authorization filters (null when there
    /// are none), the fault and CORS filters in order (disabled ones too, since a route may enable them), and Istio's ALPN
    /// override when the manager has one; whether the router suppresses its <c>x-envoy-*</c> headers; what Istio's peer
    /// metadata filter asks of the exchange headers (null without one); Istio's stats filter (null without one: no
    /// standard metrics for its requests).
    /// </summary>
    private static (HttpAuthorization? Authorization, IReadOnlyList<HttpFilterModel> Filters, AlpnOverrides? Alpn, bool SuppressEnvoyHeaders, PeerHeaderExchange? PeerHeaders, StatsConfig? Stats) HttpFilters(Hcm hcm)
    {
        AlpnOverrides? alpn = null;
        StatsConfig? stats = null;
        var suppressEnvoyHeaders = false;
        PeerHeaderExchange? peerHeaders = null;
        var models = new List<HttpFilterModel>();
        foreach (var filter in hcm.HttpFilters)
        {
            switch (filter.TypedConfig?.TypeUrl)
            {
                case TypeUrls.HttpFault:
                    models.Add(new FaultFilterModel(filter.Name, filter.Disabled, Fault(filter)));
                    break;
                case TypeUrls.Cors:
                    models.Add(new CorsFilterModel(filter.Name, filter.Disabled));
                    break;
            }
        }

        var active = hcm.HttpFilters.Where(f => !f.Disabled).ToList();
        var authorization = new List<HttpFilter>();
        for (var i = 0; i < active.Count; i++)
        {
            var filter = active[i];
            var last = i == active.Count - 1;
            if (filter.ConfigTypeCase == HttpFilter.ConfigTypeOneofCase.ConfigDiscovery)
            {
                if (filter.IsOptional)
                {
                    continue;
                }

                throw new XdsRejectedException($"HTTP filter {filter.Name} is discovered (ECDS), which is not supported");
            }

            switch (filter.TypedConfig?.TypeUrl)
            {
                case TypeUrls.Router:
                    if (!last)
                    {
                        throw new XdsRejectedException($"the router ({filter.Name}) must be the last HTTP filter");
                    }

                    suppressEnvoyHeaders = UnpackAny<Weft.Xds.Envoy.Extensions.Filters.Http.Router.V3.Router>(filter.TypedConfig!, filter.Name).SuppressEnvoyHeaders;
                    break;
                case TypeUrls.HttpFault or TypeUrls.Cors:
                    break;
                case TypeUrls.UdpaTypedStruct or TypeUrls.XdsTypedStruct when MetadataExchangeFilters.Unwrap(filter.TypedConfig) is (TypeUrls.PeerMetadata, var peerMetadata):
                    // Istio's HTTP peer metadata filter (Istio sends one per connection manager; this proxy reads the first).
                    peerHeaders ??= PeerHeaderExchange.Compile(peerMetadata);
                    break;
                case TypeUrls.IstioStats:
                    // Istio sends one per metrics provider; this proxy keeps one set of standard metrics, from the first.
                    stats ??= Stats(filter.TypedConfig!, filter.Name);
                    break;
                case TypeUrls.IstioAlpn:
                    alpn ??= AlpnOverrides.Compile(UnpackAny<Weft.Xds.Istio.Envoy.Config.Filter.Http.Alpn.V2Alpha1.FilterConfig>(filter.TypedConfig!, filter.Name), filter.Name);
                    break;
                case var type when HttpAuthorization.Handles(type):
                    authorization.Add(filter);
                    break;
                default:
                    if (filter.IsOptional)
                    {
                        continue;
                    }

                    throw new XdsRejectedException($"HTTP filter {filter.Name} ({filter.TypedConfig?.TypeUrl ?? "no config"}) is not supported");
            }

            if (last && filter.TypedConfig?.TypeUrl != TypeUrls.Router)
            {
                throw new XdsRejectedException($"the last HTTP filter is {filter.Name}, not the router");
            }
        }

        if (active.Count == 0)
        {
            throw new XdsRejectedException("the connection manager has no HTTP filters (the router must be last)");
        }

        return (HttpAuthorization.Compile(authorization, hcm.StatPrefix), models, alpn, suppressEnvoyHeaders, peerHeaders, stats);
    }

    private static StatsConfig Stats(Any config, string name)
    {
        try
        {
            return StatsConfig.Compile(UnpackAny<Weft.Xds.Istio.Stats.PluginConfig>(config, name));
        }
        catch (FormatException e)
        {
            throw new XdsRejectedException($"filter {name}: {e.Message}");
        }
    }

    private static FaultPolicy Fault(HttpFilter filter)
    {
        try
        {
            return FaultPolicy.Compile(UnpackAny<HttpFault>(filter.TypedConfig!, filter.Name));
        }
        catch (XdsRejectedException e)
        {
            throw new XdsRejectedException($"HTTP filter {filter.Name}: {e.Message}");
        }
    }

    private static T Unpack<T>(Filter filter)
        where T : class, IMessage<T>, new() => UnpackAny<T>(filter.TypedConfig!, filter.Name);

    private static T UnpackAny<T>(Any any, string name)
        where T : class, IMessage<T>, new()
    {
        try
        {
            return any.Unpack<T>();
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new XdsRejectedException($"filter {name} does not decode: {e.Message}");
        }
    }
}
