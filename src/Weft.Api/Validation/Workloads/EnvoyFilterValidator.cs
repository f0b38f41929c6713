using Weft.Api.Documents;
using Weft.Api.GoCompat;
using Weft.Api.Model.Networking;
using Weft.Api.Validation.Rules;

namespace Weft.Api.Validation.Workloads;

/// <summary>
/// Istio's <c>ValidateEnvoyFilter</c>: always a warning that EnvoyFilter is fragile; per patch, applyTo, patch,
/// operation and value present, a proxyVersion that compiles, a match that fits applyTo, and a value that can be an
/// Envoy object. Istio decodes the value with Envoy's protos; Weft has no Envoy protos, so it checks what it can
/// without them: the top-level <c>name</c> type, retired Envoy v2 type URLs, and filters without typed_config.
/// </summary>
internal sealed class EnvoyFilterValidator : ISpecValidator
{
    private const int MaxProxyVersionLength = 1024;
    private const string HttpConnectionManager = "envoy.filters.network.http_connection_manager";

    /// <summary>Deprecated filter names and the canonical names that replace them.</summary>
    private static readonly Dictionary<string, string> DeprecatedFilterNames = new(StringComparer.Ordinal)
    {
        ["envoy.buffer"] = "envoy.filters.http.buffer",
        ["envoy.cors"] = "envoy.filters.http.cors",
        ["envoy.csrf"] = "envoy.filters.http.csrf",
        ["envoy.http_dynamo_filter"] = "envoy.filters.http.dynamo",
        ["envoy.ext_authz"] = "envoy.filters.http.ext_authz",
        ["envoy.fault"] = "envoy.filters.http.fault",
        ["envoy.grpc_http1_bridge"] = "envoy.filters.http.grpc_http1_bridge",
        ["envoy.grpc_json_transcoder"] = "envoy.filters.http.grpc_json_transcoder",
        ["envoy.grpc_web"] = "envoy.filters.http.grpc_web",
        ["envoy.gzip"] = "envoy.filters.http.gzip",
        ["envoy.health_check"] = "envoy.filters.http.health_check",
        ["envoy.ip_tagging"] = "envoy.filters.http.ip_tagging",
        ["envoy.lua"] = "envoy.filters.http.lua",
        ["envoy.rate_limit"] = "envoy.filters.http.ratelimit",
        ["envoy.router"] = "envoy.filters.http.router",
        ["envoy.squash"] = "envoy.filters.http.squash",
        ["envoy.listener.http_inspector"] = "envoy.filters.listener.http_inspector",
        ["envoy.listener.original_dst"] = "envoy.filters.listener.original_dst",
        ["envoy.listener.original_src"] = "envoy.filters.listener.original_src",
        ["envoy.listener.proxy_protocol"] = "envoy.filters.listener.proxy_protocol",
        ["envoy.listener.tls_inspector"] = "envoy.filters.listener.tls_inspector",
        ["envoy.client_ssl_auth"] = "envoy.filters.network.client_ssl_auth",
        ["envoy.http_connection_manager"] = HttpConnectionManager,
        ["envoy.mongo_proxy"] = "envoy.filters.network.mongo_proxy",
        ["envoy.ratelimit"] = "envoy.filters.network.ratelimit",
        ["envoy.redis_proxy"] = "envoy.filters.network.redis_proxy",
        ["envoy.tcp_proxy"] = "envoy.filters.network.tcp_proxy",
    };

    public string Kind => "EnvoyFilter";

    public void Validate(ValidationContext context)
    {
        var filter = context.Resource.Spec as EnvoyFilterSpec ?? new EnvoyFilterSpec();
        if (WorkloadSelectors.RejectAlpha(context, "spec.workloadSelector", filter.WorkloadSelector, out var withoutLabels))
        {
            return;
        }

        context.Warning(
            "spec",
            "EnvoyFilter exposes internal implementation details that may change at any time. "
            + "Prefer other APIs if possible, and exercise extreme caution, especially around upgrades.");
        if (withoutLabels)
        {
            context.Warning("spec.workloadSelector", $"Envoy filter: {WorkloadSelectors.NoLabelsWarning}, will be applied to all services in namespace");
        }

        var patches = filter.ConfigPatches ?? [];
        for (var i = 0; i < patches.Count; i++)
        {
            CheckPatch(context, patches[i], $"spec.configPatches[{i}]");
        }
    }

    private static void CheckPatch(ValidationContext context, EnvoyConfigObjectPatch cp, string at)
    {
        var match = cp.Match;
        if (EnumNames.Of(match?.Context, EnumNames.PatchContext) == "WAYPOINT")
        {
            return; // Istio does not validate waypoint patches yet.
        }

        var applyTo = EnumNames.Of(cp.ApplyTo, EnumNames.ApplyTo);
        if (applyTo == "INVALID")
        {
            context.Error(at + ".applyTo", "Envoy filter: missing applyTo");
            return;
        }

        if (cp.Patch is not { } patch)
        {
            context.Error(at + ".patch", "Envoy filter: missing patch");
            return;
        }

        var operation = EnumNames.Of(patch.Operation, EnumNames.Operation);
        if (operation == "INVALID")
        {
            context.Error(at + ".patch.operation", "Envoy filter: missing patch operation");
            return;
        }

        if (operation != "REMOVE" && patch.Value is null)
        {
            context.Error(at + ".patch.value", "Envoy filter: missing patch value for non-remove operation");
            return;
        }

        if (match?.Proxy?.ProxyVersion is { Length: > 0 } proxyVersion)
        {
            if (proxyVersion.Length > MaxProxyVersionLength)
            {
                context.Warning(
                    at + ".match.proxy.proxyVersion",
                    $"Envoy filter: proxyVersion match exceeds {MaxProxyVersionLength} characters and will be ignored");
            }
            else if (GoRegexpSyntax.Check(proxyVersion) is { } regexError)
            {
                context.Error(at + ".match.proxy.proxyVersion", $"Envoy filter: invalid regex for proxy version, [{regexError}]");
                return;
            }
        }

        if (!CheckMatchFitsApplyTo(context, applyTo, match, at))
        {
            return;
        }

        if (patch.Value is { } value)
        {
            CheckValue(context, applyTo, value, at + ".patch.value");
        }
    }

    /// <summary>The match must be of the class applyTo patches; false when Istio stops checking this patch.</summary>
    private static bool CheckMatchFitsApplyTo(ValidationContext context, string applyTo, EnvoyConfigObjectMatch? match, string at)
    {
        var hasObjectType = match is not null
            && (match.Listener is not null || match.RouteConfiguration is not null || match.Cluster is not null || match.Waypoint is not null);
        if (!hasObjectType)
        {
            return true;
        }

        switch (applyTo)
        {
            case "LISTENER" or "FILTER_CHAIN" or "NETWORK_FILTER" or "HTTP_FILTER":
                {
                    if (match!.Listener is not { } listener)
                    {
                        context.Error(at + ".match", "Envoy filter: applyTo for listener class objects cannot have non listener match");
                        return false;
                    }

                    if (listener.FilterChain?.Filter is not { } filterMatch)
                    {
                        return true;
                    }

                    var filterAt = at + ".match.listener.filterChain.filter";
                    if (applyTo is "LISTENER" or "FILTER_CHAIN")
                    {
                        // An error in principle; Istio keeps it a warning for compatibility.
                        context.Warning(filterAt, $"Envoy filter: filter match has no effect when used with {applyTo}");
                    }

                    if (string.IsNullOrEmpty(filterMatch.Name))
                    {
                        context.Error(filterAt + ".name", "Envoy filter: filter match has no name to match on");
                        return false;
                    }

                    if (filterMatch.SubFilter is { } subFilter)
                    {
                        if (applyTo != "HTTP_FILTER")
                        {
                            context.Error(filterAt + ".subFilter", "Envoy filter: subfilter match can be used with applyTo HTTP_FILTER only");
                            return false;
                        }

                        if (filterMatch.Name is not (HttpConnectionManager or "envoy.http_connection_manager"))
                        {
                            context.Error(filterAt + ".name", $"Envoy filter: subfilter match requires filter match with {HttpConnectionManager}");
                            return false;
                        }

                        if (string.IsNullOrEmpty(subFilter.Name))
                        {
                            context.Error(filterAt + ".subFilter.name", "Envoy filter: subfilter match has no name to match on");
                            return false;
                        }
                    }

                    WarnDeprecatedName(context, filterMatch.Name, filterAt + ".name");
                    WarnDeprecatedName(context, filterMatch.SubFilter?.Name, filterAt + ".subFilter.name");
                    return true;
                }

            case "ROUTE_CONFIGURATION" or "VIRTUAL_HOST" or "HTTP_ROUTE":
                if (match!.RouteConfiguration is null)
                {
                    context.Error(at + ".match", "Envoy filter: applyTo for http route class objects cannot have non route configuration match");
                }

                return true;
            case "CLUSTER":
                if (match!.Cluster is null)
                {
                    context.Error(at + ".match", "Envoy filter: applyTo for cluster class objects cannot have non cluster match");
                }

                return true;
            default:
                return true;
        }
    }

    private static void WarnDeprecatedName(ValidationContext context, string? name, string at)
    {
        if (name is not null && DeprecatedFilterNames.TryGetValue(name, out var canonical))
        {
            context.Warning(at, $"using deprecated filter name {GoStrconv.Quote(name)}; use {GoStrconv.Quote(canonical)} instead");
        }
    }

    /// <summary>What Weft can tell, without Envoy's protos, of whether the value decodes as the Envoy object applyTo names.</summary>
    private static void CheckValue(ValidationContext context, string applyTo, Node value, string at)
    {
        var requiresTypedConfig = applyTo switch
        {
            "HTTP_FILTER" or "NETWORK_FILTER" or "LISTENER_FILTER" or "EXTENSION_CONFIG" => true,
            "LISTENER" or "FILTER_CHAIN" or "ROUTE_CONFIGURATION" or "VIRTUAL_HOST" or "HTTP_ROUTE" or "CLUSTER" or "BOOTSTRAP" => false,
            _ => (bool?)null,
        };
        if (requiresTypedConfig is null)
        {
            context.Error(at, $"Envoy filter: unknown object type for applyTo {applyTo}");
            return;
        }

        if (value is not MapNode map)
        {
            return; // not a Struct: the schema check reports it
        }

        // Every object but Bootstrap has a string name.
        if (applyTo != "BOOTSTRAP" && map["name"] is { } name && JsonTypeName(name) is { } nameType and not "string")
        {
            context.Error(at + ".name", $"Envoy filter: json: cannot unmarshal {nameType} into Go value of type string");
            return;
        }

        if (FindRetiredTypeUrl(map) is { } typeUrl)
        {
            context.Error(
                at,
                $"referenced type unknown (hint: try using the v3 XDS API): Envoy filter: could not resolve Any message type: {typeUrl}");
            return;
        }

        // Filters named without typed_config rely on a lookup by name that Envoy is retiring.
        var missing = new List<string>();
        if (requiresTypedConfig == true)
        {
            AddIfMissingTypedConfig(map, allowConfigDiscovery: applyTo != "EXTENSION_CONFIG", missing);
        }
        else if (applyTo is "CLUSTER" or "FILTER_CHAIN")
        {
            if (Field(map, "transport_socket", "transportSocket") is MapNode socket)
            {
                AddIfMissingTypedConfig(socket, allowConfigDiscovery: false, missing);
            }

            if (applyTo == "CLUSTER" && Field(map, "cluster_type", "clusterType") is MapNode clusterType)
            {
                AddIfMissingTypedConfig(clusterType, allowConfigDiscovery: false, missing);
            }
        }

        if (missing.Count > 0)
        {
            context.Warning(at, $"using deprecated types by name without typed_config; {string.Join(", ", missing)}");
        }
    }

    private static void AddIfMissingTypedConfig(MapNode map, bool allowConfigDiscovery, List<string> missing)
    {
        if (IsSet(Field(map, "typed_config", "typedConfig")) || (allowConfigDiscovery && IsSet(Field(map, "config_discovery", "configDiscovery"))))
        {
            return;
        }

        missing.Add(map["name"] is ScalarNode { IsNull: false } name ? name.Text : string.Empty);
    }

    private static Node? Field(MapNode map, string snake, string camel) => map[snake] ?? map[camel];

    private static bool IsSet(Node? node) => node is not null and not ScalarNode { IsNull: true };

    /// <summary>The first <c>@type</c> naming an Envoy v2 API type: those protos are gone, so Istio cannot resolve them.</summary>
    private static string? FindRetiredTypeUrl(Node node)
    {
        switch (node)
        {
            case MapNode map:
                foreach (var entry in map.Entries)
                {
                    if (entry.Key == "@type" && entry.Value is ScalarNode { IsNull: false } typeUrl)
                    {
                        var typeName = typeUrl.Text[(typeUrl.Text.LastIndexOf('/') + 1)..];
                        if (typeName.StartsWith("envoy.", StringComparison.Ordinal) && typeName.Contains(".v2.", StringComparison.Ordinal))
                        {
                            return typeUrl.Text;
                        }
                    }
                    else if (FindRetiredTypeUrl(entry.Value) is { } found)
                    {
                        return found;
                    }
                }

                return null;
            case ListNode list:
                foreach (var item in list.Items)
                {
                    if (FindRetiredTypeUrl(item) is { } found)
                    {
                        return found;
                    }
                }

                return null;
            default:
                return null;
        }
    }

    /// <summary>The JSON type Go's decoder names in its messages; null for JSON null.</summary>
    private static string? JsonTypeName(Node node) => node switch
    {
        MapNode => "object",
        ListNode => "array",
        ScalarNode { Kind: ScalarKind.Null } => null,
        ScalarNode { Kind: ScalarKind.Bool } => "bool",
        ScalarNode { Kind: ScalarKind.Int or ScalarKind.Float } => "number",
        _ => "string",
    };
}
