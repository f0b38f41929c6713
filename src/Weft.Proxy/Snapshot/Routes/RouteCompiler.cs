using Google.Protobuf.WellKnownTypes;
using Weft.Proxy.Snapshot.Filters;
using Weft.Proxy.Snapshot.Matching;
using Weft.Proxy.Snapshot.Routes.Hashing;
using Weft.Proxy.Xds;
using Weft.Xds.Envoy.Config.Core.V3;
using Weft.Xds.Envoy.Config.Route.V3;
using EnvoyRouteAction = Weft.Xds.Envoy.Config.Route.V3.RouteAction;
using EnvoyRedirect = Weft.Xds.Envoy.Config.Route.V3.RedirectAction;

namespace Weft.Proxy.Snapshot.Routes;

/// <summary>
/// Compiles a RouteConfiguration into a <see cref="RouteTable"/>, refusing (with the route or virtual host named) what
/// Envoy would refuse and what this proxy cannot do faithfully. Retry, mirror and hash policies, and the fault and CORS
/// filters' per-route configs, are compiled for the router and filters to apply; hedging and typed retry policies are
/// refused.
/// </summary>
internal static class RouteCompiler
{
    /// <summary>Envoy's cap on direct-response bodies when the configuration sets none.</summary>
    public const uint DefaultMaxDirectResponseBody = 4096;

    public static RouteTable Compile(RouteConfiguration config)
    {
        var maxBody = config.MaxDirectResponseBodySizeBytes ?? DefaultMaxDirectResponseBody;
        var hosts = new List<VirtualHostEntry>();
        foreach (var vhost in config.VirtualHosts)
        {
            try
            {
                hosts.Add(VirtualHost(vhost, maxBody));
            }
            catch (XdsRejectedException e)
            {
                throw new XdsRejectedException($"virtual host {vhost.Name}: {e.Message}");
            }
        }

        if (config.Vhds is not null)
        {
            throw new XdsRejectedException("on-demand virtual hosts (vhds) are not supported");
        }

        return new RouteTable(
            config.Name,
            new VirtualHostIndex(hosts, config.Name),
            hosts,
            HeaderMutation.Compile(config.RequestHeadersToAdd, config.RequestHeadersToRemove),
            HeaderMutation.Compile(config.ResponseHeadersToAdd, config.ResponseHeadersToRemove),
            config.InternalOnlyHeaders.Select(h => h.ToLowerInvariant()).ToArray(),
            config.MostSpecificHeaderMutationsWins,
            config.IgnorePortInHostMatching,
            config.VhostHeader.Length > 0 ? config.VhostHeader.ToLowerInvariant() : null)
        {
            Filters = FilterOverrides.Compile(config.TypedPerFilterConfig),
            Mirrors = config.RequestMirrorPolicies.Select(MirrorPolicy.Compile).ToArray(),
        };
    }

    private static VirtualHostEntry VirtualHost(VirtualHost vhost, uint maxBody)
    {
        if (vhost.Domains.Count == 0)
        {
            throw new XdsRejectedException("it has no domains");
        }

        var routes = new List<RouteEntry>();
        for (var i = 0; i < vhost.Routes.Count; i++)
        {
            var route = vhost.Routes[i];
            try
            {
                routes.Add(Route(route, maxBody));
            }
            catch (XdsRejectedException e)
            {
                var name = route.Name.Length > 0 ? $"route {route.Name}" : $"route {i}";
                throw new XdsRejectedException($"{name}: {e.Message}");
            }
        }

        Hedge(vhost.HedgePolicy);
        if (vhost.RetryPolicyTypedConfig is not null)
        {
            throw new XdsRejectedException("retry_policy_typed_config is not supported (use retry_policy)");
        }

        return new VirtualHostEntry(
            vhost.Name,
            vhost.Domains.ToArray(),
            routes,
            HeaderMutation.Compile(vhost.RequestHeadersToAdd, vhost.RequestHeadersToRemove),
            HeaderMutation.Compile(vhost.ResponseHeadersToAdd, vhost.ResponseHeadersToRemove),
            vhost.IncludeRequestAttemptCount,
            vhost.IncludeAttemptCountInResponse,
            vhost.RequireTls switch
            {
                Weft.Xds.Envoy.Config.Route.V3.VirtualHost.Types.TlsRequirementType.All => TlsRequirement.All,
                Weft.Xds.Envoy.Config.Route.V3.VirtualHost.Types.TlsRequirementType.ExternalOnly => TlsRequirement.ExternalOnly,
                _ => TlsRequirement.None,
            })
        {
            Filters = FilterOverrides.Compile(vhost.TypedPerFilterConfig),
            Retry = vhost.RetryPolicy is { } retry ? RetryPolicyModel.Compile(retry) : null,
            Mirrors = vhost.RequestMirrorPolicies.Select(MirrorPolicy.Compile).ToArray(),
            BodyBufferLimit = vhost.RequestBodyBufferLimit,
            IncludeIsTimeoutRetryHeader = vhost.IncludeIsTimeoutRetryHeader,
        };
    }

    private static RouteEntry Route(Route route, uint maxBody)
    {
        var condition = RouteCondition.Compile(route.Match ?? throw new XdsRejectedException("it has no match"));
        RouteBehavior behavior = route.ActionCase switch
        {
            Weft.Xds.Envoy.Config.Route.V3.Route.ActionOneofCase.Route_ => Forward(route.Route_),
            Weft.Xds.Envoy.Config.Route.V3.Route.ActionOneofCase.Redirect => Redirect(route.Redirect),
            Weft.Xds.Envoy.Config.Route.V3.Route.ActionOneofCase.DirectResponse => Direct(route.DirectResponse, maxBody),
            Weft.Xds.Envoy.Config.Route.V3.Route.ActionOneofCase.None => NoAction.Instance,
            var other => throw new XdsRejectedException($"the {other} action is not supported"),
        };
        return new RouteEntry(
            route.Name,
            condition,
            behavior,
            HeaderMutation.Compile(route.RequestHeadersToAdd, route.RequestHeadersToRemove),
            HeaderMutation.Compile(route.ResponseHeadersToAdd, route.ResponseHeadersToRemove))
        {
            Filters = FilterOverrides.Compile(route.TypedPerFilterConfig),
            BodyBufferLimit = route.RequestBodyBufferLimit,
        };
    }

    private static ForwardAction Forward(EnvoyRouteAction action)
    {
        ClusterChoice clusters = action.ClusterSpecifierCase switch
        {
            EnvoyRouteAction.ClusterSpecifierOneofCase.Cluster when action.Cluster.Length > 0 => new SingleCluster(action.Cluster),
            EnvoyRouteAction.ClusterSpecifierOneofCase.ClusterHeader when action.ClusterHeader.Length > 0 => new HeaderCluster(action.ClusterHeader.ToLowerInvariant()),
            EnvoyRouteAction.ClusterSpecifierOneofCase.WeightedClusters => Weighted(action.WeightedClusters),
            EnvoyRouteAction.ClusterSpecifierOneofCase.ClusterSpecifierPlugin => throw new XdsRejectedException("cluster_specifier_plugin is not supported"),
            _ => throw new XdsRejectedException("the route action names no cluster"),
        };

        if (action.PathRewrite.Length > 0 || action.PathRewritePolicy is not null)
        {
            throw new XdsRejectedException("path_rewrite and path_rewrite_policy are not supported yet");
        }

        if (action.PrefixRewrite.Length > 0 && action.RegexRewrite is not null)
        {
            throw new XdsRejectedException("prefix_rewrite and regex_rewrite cannot both be set");
        }

        Hedge(action.HedgePolicy);
        if (action.RetryPolicyTypedConfig is not null)
        {
            throw new XdsRejectedException("retry_policy_typed_config is not supported (use retry_policy)");
        }

        return new ForwardAction
        {
            Clusters = clusters,
            PrefixRewrite = action.PrefixRewrite.Length > 0 ? action.PrefixRewrite : null,
            RegexRewrite = Rewrite(action.RegexRewrite),
            HostRewrite = Host(action),
            Timeout = action.Timeout is null ? ForwardAction.DefaultTimeout : action.Timeout.ToTimeSpan(),
            IdleTimeout = action.IdleTimeout?.ToTimeSpan(),
            MaxGrpcTimeout = action.MaxGrpcTimeout?.ToTimeSpan(),
            GrpcTimeoutOffset = action.GrpcTimeoutOffset?.ToTimeSpan() ?? TimeSpan.Zero,
            ClusterNotFoundStatus = action.ClusterNotFoundResponseCode switch
            {
                EnvoyRouteAction.Types.ClusterNotFoundResponseCode.NotFound => 404,
                EnvoyRouteAction.Types.ClusterNotFoundResponseCode.InternalServerError => 500,
                _ => 503,
            },
            AppendXForwardedHost = action.AppendXForwardedHost,
            HashPolicy = HashPolicyCompiler.Compile(action.HashPolicy),
            Retry = action.RetryPolicy is { } retry ? RetryPolicyModel.Compile(retry) : null,
            Mirrors = action.RequestMirrorPolicies.Select(MirrorPolicy.Compile).ToArray(),
        };
    }

    /// <summary>Refuses a hedge policy that would hedge; an empty one changes nothing.</summary>
    private static void Hedge(HedgePolicy? hedge)
    {
        if (hedge is not null && ((hedge.InitialRequests ?? 1) > 1 || hedge.AdditionalRequestChance is { Numerator: > 0 } || hedge.HedgeOnPerTryTimeout))
        {
            throw new XdsRejectedException("hedge_policy (request hedging) is not supported");
        }
    }

    private static WeightedClusters Weighted(WeightedCluster weighted)
    {
        if (weighted.Clusters.Count == 0)
        {
            throw new XdsRejectedException("weighted_clusters lists no cluster");
        }

        if (weighted.RandomValueSpecifierCase == WeightedCluster.RandomValueSpecifierOneofCase.UseHashPolicy && weighted.UseHashPolicy == true)
        {
            throw new XdsRejectedException("weighted_clusters.use_hash_policy is not supported yet");
        }

        var targets = new List<WeightedTarget>();
        ulong total = 0;
        foreach (var entry in weighted.Clusters)
        {
            if (entry.Name.Length == 0 && entry.ClusterHeader.Length == 0)
            {
                throw new XdsRejectedException("a weighted cluster has neither a name nor a cluster_header");
            }

            if (entry.TypedPerFilterConfig.Count > 0)
            {
                throw new XdsRejectedException($"typed_per_filter_config on the weighted cluster {entry.Name} is not supported yet");
            }

            var weight = entry.Weight ?? 0;
            total += weight;
            targets.Add(new WeightedTarget(
                entry.Name.Length > 0 ? entry.Name : null,
                entry.Name.Length > 0 ? null : entry.ClusterHeader.ToLowerInvariant(),
                weight,
                HeaderMutation.Compile(entry.RequestHeadersToAdd, entry.RequestHeadersToRemove),
                HeaderMutation.Compile(entry.ResponseHeadersToAdd, entry.ResponseHeadersToRemove),
                entry.HostRewriteSpecifierCase == WeightedCluster.Types.ClusterWeight.HostRewriteSpecifierOneofCase.HostRewriteLiteral ? entry.HostRewriteLiteral : null));
        }

        if (total == 0)
        {
            throw new XdsRejectedException("the weights of weighted_clusters add up to 0");
        }

        if (weighted.TotalWeight is > 0 and var declared && declared != total)
        {
            throw new XdsRejectedException($"the weights of weighted_clusters add up to {total}, not total_weight {declared}");
        }

        var header = weighted.RandomValueSpecifierCase == WeightedCluster.RandomValueSpecifierOneofCase.HeaderName ? weighted.HeaderName.ToLowerInvariant() : null;
        return new WeightedClusters(targets, total, header);
    }

    private static HostRewrite Host(EnvoyRouteAction action) => action.HostRewriteSpecifierCase switch
    {
        EnvoyRouteAction.HostRewriteSpecifierOneofCase.HostRewriteLiteral when action.HostRewriteLiteral.Length > 0 => new HostRewrite(HostRewriteKind.Literal, action.HostRewriteLiteral),
        EnvoyRouteAction.HostRewriteSpecifierOneofCase.AutoHostRewrite when action.AutoHostRewrite == true => new HostRewrite(HostRewriteKind.Auto, string.Empty),
        EnvoyRouteAction.HostRewriteSpecifierOneofCase.HostRewriteHeader => new HostRewrite(HostRewriteKind.Header, action.HostRewriteHeader.ToLowerInvariant()),
        EnvoyRouteAction.HostRewriteSpecifierOneofCase.HostRewritePathRegex => Rewrite(action.HostRewritePathRegex) is { } regex
            ? new HostRewrite(HostRewriteKind.PathRegex, regex.Substitution, regex.Pattern)
            : HostRewrite.None,
        EnvoyRouteAction.HostRewriteSpecifierOneofCase.HostRewrite => throw new XdsRejectedException("host_rewrite (a substitution format) is not supported yet"),
        _ => HostRewrite.None,
    };

    internal static (System.Text.RegularExpressions.Regex Pattern, string Substitution)? Rewrite(Weft.Xds.Envoy.Type.Matcher.V3.RegexMatchAndSubstitute? rewrite) =>
        rewrite is null ? null : (Re2.Search(rewrite.Pattern?.Regex ?? string.Empty), Re2.Substitution(rewrite.Substitution));

    private static RedirectReply Redirect(EnvoyRedirect redirect)
    {
        var status = redirect.ResponseCode switch
        {
            EnvoyRedirect.Types.RedirectResponseCode.MovedPermanently => 301,
            EnvoyRedirect.Types.RedirectResponseCode.Found => 302,
            EnvoyRedirect.Types.RedirectResponseCode.SeeOther => 303,
            EnvoyRedirect.Types.RedirectResponseCode.TemporaryRedirect => 307,
            EnvoyRedirect.Types.RedirectResponseCode.PermanentRedirect => 308,
            var other => throw new XdsRejectedException($"the redirect response code {other} is not known"),
        };
        string? scheme = redirect.SchemeRewriteSpecifierCase switch
        {
            EnvoyRedirect.SchemeRewriteSpecifierOneofCase.HttpsRedirect when redirect.HttpsRedirect => "https",
            EnvoyRedirect.SchemeRewriteSpecifierOneofCase.SchemeRedirect when redirect.SchemeRedirect.Length > 0 => redirect.SchemeRedirect.ToLowerInvariant(),
            _ => null,
        };
        return new RedirectReply
        {
            Status = status,
            Scheme = scheme,
            Host = redirect.HostRedirect,
            Port = redirect.PortRedirect,
            Path = redirect.PathRewriteSpecifierCase == EnvoyRedirect.PathRewriteSpecifierOneofCase.PathRedirect && redirect.PathRedirect.Length > 0 ? redirect.PathRedirect : null,
            PrefixRewrite = redirect.PathRewriteSpecifierCase == EnvoyRedirect.PathRewriteSpecifierOneofCase.PrefixRewrite ? redirect.PrefixRewrite : null,
            RegexRewrite = redirect.PathRewriteSpecifierCase == EnvoyRedirect.PathRewriteSpecifierOneofCase.RegexRewrite ? Rewrite(redirect.RegexRewrite) : null,
            StripQuery = redirect.StripQuery,
        };
    }

    private static DirectReply Direct(DirectResponseAction action, uint maxBody)
    {
        if (action.Status is < 200 or > 599)
        {
            throw new XdsRejectedException($"direct_response status {action.Status} is not between 200 and 599");
        }

        byte[] body = action.Body?.SpecifierCase switch
        {
            null or DataSource.SpecifierOneofCase.None => [],
            DataSource.SpecifierOneofCase.InlineString => System.Text.Encoding.UTF8.GetBytes(action.Body.InlineString),
            DataSource.SpecifierOneofCase.InlineBytes => action.Body.InlineBytes.ToByteArray(),
            var other => throw new XdsRejectedException($"a direct_response body from {other} is not supported (only inline bodies)"),
        };
        if (body.Length > maxBody)
        {
            throw new XdsRejectedException($"the direct_response body ({body.Length} bytes) is larger than max_direct_response_body_size_bytes ({maxBody})");
        }

        return new DirectReply((int)action.Status, body);
    }
}
