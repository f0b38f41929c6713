using Google.Protobuf;
using Google.Protobuf.Reflection;
using Google.Protobuf.WellKnownTypes;
using Weft.Xds.Envoy.Config.Cluster.V3;
using Weft.Xds.Envoy.Config.Core.V3;
using Weft.Xds.Envoy.Config.Endpoint.V3;
using Weft.Xds.Envoy.Config.Listener.V3;
using Weft.Xds.Envoy.Config.Rbac.V3;
using Weft.Xds.Envoy.Config.Route.V3;
using Weft.Xds.Envoy.Extensions.Filters.Http.Fault.V3;
using Weft.Xds.Envoy.Extensions.Filters.Network.HttpConnectionManager.V3;
using Weft.Xds.Envoy.Extensions.Filters.Network.TcpProxy.V3;
using Weft.Xds.Envoy.Extensions.TransportSockets.Tls.V3;
using Weft.Xds.Envoy.Service.Discovery.V3;
using Weft.Xds.Envoy.Type.Matcher.V3;
using Filter = Weft.Xds.Envoy.Config.Listener.V3.Filter;
using RetryPolicy = Weft.Xds.Envoy.Config.Route.V3.RetryPolicy;
using UpstreamHttpOptions = Weft.Xds.Envoy.Extensions.Upstreams.Http.V3.HttpProtocolOptions;

namespace Weft.Xds.Tests;

/// <summary>
/// Golden field numbers, each looked up in Envoy's api/envoy/... protos: the wire contract. A wrong number
/// here means a Weft resource that Envoy (or gRPC) decodes into a different field.
/// </summary>
public sealed class FieldNumberTests
{
    public static TheoryData<string, string, int> Fields => new()
    {
        // envoy/config/cluster/v3/cluster.proto
        { Cluster.Descriptor.FullName, "connect_timeout", 4 },
        { Cluster.Descriptor.FullName, "eds_cluster_config", 3 },
        { Cluster.Descriptor.FullName, "lb_policy", 6 },
        { Cluster.Descriptor.FullName, "max_requests_per_connection", 9 },
        { Cluster.Descriptor.FullName, "circuit_breakers", 10 },
        { Cluster.Descriptor.FullName, "http_protocol_options", 13 },
        { Cluster.Descriptor.FullName, "http2_protocol_options", 14 },
        { Cluster.Descriptor.FullName, "protocol_selection", 26 },
        { Cluster.Descriptor.FullName, "common_http_protocol_options", 29 },
        { Cluster.Descriptor.FullName, "outlier_detection", 19 },
        { Cluster.Descriptor.FullName, "transport_socket", 24 },
        { Cluster.Descriptor.FullName, "alt_stat_name", 28 },
        { Cluster.Descriptor.FullName, "load_assignment", 33 },
        { Cluster.Descriptor.FullName, "typed_extension_protocol_options", 36 },
        { Cluster.Descriptor.FullName, "transport_socket_matches", 43 },
        { Cluster.Descriptor.FullName, "maglev_lb_config", 52 },
        { Cluster.Types.CommonLbConfig.Descriptor.FullName, "locality_weighted_lb_config", 3 },
        { CircuitBreakers.Types.Thresholds.Descriptor.FullName, "track_remaining", 6 },
        { CircuitBreakers.Types.Thresholds.Descriptor.FullName, "retry_budget", 8 },
        { OutlierDetection.Descriptor.FullName, "consecutive_gateway_failure", 10 },
        // envoy/config/route/v3/route_components.proto
        { RouteAction.Descriptor.FullName, "timeout", 8 },
        { RouteAction.Descriptor.FullName, "retry_policy", 9 },
        { RouteAction.Descriptor.FullName, "hash_policy", 15 },
        { RouteAction.Descriptor.FullName, "max_grpc_timeout", 23 },
        { RouteAction.Descriptor.FullName, "request_mirror_policies", 30 },
        { RouteAction.Descriptor.FullName, "regex_rewrite", 32 },
        { RouteAction.Descriptor.FullName, "max_stream_duration", 36 },
        { RouteMatch.Descriptor.FullName, "safe_regex", 10 },
        { RouteMatch.Descriptor.FullName, "path_separated_prefix", 14 },
        { Route.Descriptor.FullName, "direct_response", 7 },
        { Route.Descriptor.FullName, "typed_per_filter_config", 13 },
        { Route.Descriptor.FullName, "name", 14 },
        { RetryPolicy.Descriptor.FullName, "retriable_status_codes", 7 },
        { RetryPolicy.Descriptor.FullName, "retry_back_off", 8 },
        { HeaderMatcher.Descriptor.FullName, "string_match", 13 },
        { VirtualHost.Descriptor.FullName, "include_request_attempt_count", 14 },
        // envoy/config/route/v3/route.proto
        { RouteConfiguration.Descriptor.FullName, "validate_clusters", 7 },
        { RouteConfiguration.Descriptor.FullName, "ignore_port_in_host_matching", 14 },
        // envoy/config/listener/v3/*.proto
        { Listener.Descriptor.FullName, "use_original_dst", 4 },
        { Listener.Descriptor.FullName, "api_listener", 19 },
        { Listener.Descriptor.FullName, "default_filter_chain", 25 },
        { Listener.Descriptor.FullName, "bind_to_port", 26 },
        { FilterChainMatch.Descriptor.FullName, "destination_port", 8 },
        { FilterChainMatch.Descriptor.FullName, "server_names", 11 },
        { Filter.Descriptor.FullName, "typed_config", 4 },
        // envoy/config/endpoint/v3/*.proto
        { LocalityLbEndpoints.Descriptor.FullName, "priority", 5 },
        { LbEndpoint.Descriptor.FullName, "health_status", 2 },
        { ClusterLoadAssignment.Descriptor.FullName, "named_endpoints", 5 },
        // envoy/config/core/v3/*.proto
        { Node.Descriptor.FullName, "user_agent_name", 6 },
        { Node.Descriptor.FullName, "client_features", 10 },
        { ConfigSource.Descriptor.FullName, "resource_api_version", 6 },
        { TransportSocket.Descriptor.FullName, "typed_config", 3 },
        { HeaderValueOption.Descriptor.FullName, "append_action", 3 },
        // envoy/extensions/...
        { HttpConnectionManager.Descriptor.FullName, "normalize_path", 30 },
        { HttpConnectionManager.Descriptor.FullName, "merge_slashes", 33 },
        { HttpConnectionManager.Descriptor.FullName, "common_http_protocol_options", 35 },
        { HttpFilter.Descriptor.FullName, "is_optional", 6 },
        { TcpProxy.Descriptor.FullName, "weighted_clusters", 10 },
        { HTTPFault.Descriptor.FullName, "max_active_faults", 6 },
        { UpstreamTlsContext.Descriptor.FullName, "sni", 2 },
        { CommonTlsContext.Descriptor.FullName, "tls_certificate_sds_secret_configs", 6 },
        { CommonTlsContext.Descriptor.FullName, "combined_validation_context", 8 },
        { CommonTlsContext.Descriptor.FullName, "tls_certificate_certificate_provider_instance", 11 },
        { CommonTlsContext.Types.CombinedCertificateValidationContext.Descriptor.FullName, "validation_context_certificate_provider_instance", 4 },
        { CertificateValidationContext.Descriptor.FullName, "match_subject_alt_names", 9 },
        { UpstreamHttpOptions.Descriptor.FullName, "use_downstream_protocol_config", 4 },
        { Principal.Descriptor.FullName, "remote_ip", 11 },
        { Permission.Descriptor.FullName, "url_path", 10 },
        { StringMatcher.Descriptor.FullName, "ignore_case", 6 },
        { Permission.Descriptor.FullName, "uri_template", 13 },
        { Principal.Descriptor.FullName, "direct_remote_ip", 10 },
        { ValueMatcher.Descriptor.FullName, "or_match", 7 },
        { "envoy.extensions.filters.http.ext_authz.v3.ExtAuthz", "http_service", 3 },
        { "envoy.extensions.filters.http.ext_authz.v3.ExtAuthz", "transport_api_version", 12 },
        { "envoy.extensions.filters.http.ext_authz.v3.ExtAuthz", "status_on_error", 7 },
        { "envoy.extensions.filters.http.ext_authz.v3.ExtAuthz", "filter_enabled_metadata", 14 },
        { "envoy.extensions.filters.http.ext_authz.v3.ExtAuthz", "allowed_headers", 17 },
        { "envoy.extensions.filters.http.ext_authz.v3.HttpService", "authorization_response", 8 },
        { "envoy.extensions.filters.http.ext_authz.v3.AuthorizationResponse", "allowed_client_headers_on_success", 4 },
        { "envoy.extensions.filters.network.ext_authz.v3.ExtAuthz", "filter_enabled_metadata", 6 },
        { "envoy.extensions.filters.network.ext_authz.v3.ExtAuthz", "transport_api_version", 5 },
        { "envoy.type.v3.HttpStatus", "code", 1 },
        // envoy/service/discovery/v3/discovery.proto
        { DiscoveryRequest.Descriptor.FullName, "error_detail", 6 },
        { DiscoveryResponse.Descriptor.FullName, "nonce", 5 },
        { DeltaDiscoveryRequest.Descriptor.FullName, "initial_resource_versions", 5 },
        { DeltaDiscoveryResponse.Descriptor.FullName, "removed_resources", 6 },
        { Resource.Descriptor.FullName, "ttl", 6 },
        // envoy/admin/v3/config_dump*.proto
        { Weft.Xds.Envoy.Admin.V3.ConfigDump.Descriptor.FullName, "configs", 1 },
        { Weft.Xds.Envoy.Admin.V3.ClustersConfigDump.Descriptor.FullName, "dynamic_active_clusters", 3 },
        { Weft.Xds.Envoy.Admin.V3.ClustersConfigDump.Descriptor.FullName, "dynamic_warming_clusters", 4 },
        { Weft.Xds.Envoy.Admin.V3.ClustersConfigDump.Types.DynamicCluster.Descriptor.FullName, "last_updated", 3 },
        { Weft.Xds.Envoy.Admin.V3.ListenersConfigDump.Descriptor.FullName, "dynamic_listeners", 3 },
        { Weft.Xds.Envoy.Admin.V3.ListenersConfigDump.Types.DynamicListener.Descriptor.FullName, "warming_state", 3 },
        { Weft.Xds.Envoy.Admin.V3.ListenersConfigDump.Types.DynamicListenerState.Descriptor.FullName, "listener", 2 },
        { Weft.Xds.Envoy.Admin.V3.RoutesConfigDump.Descriptor.FullName, "dynamic_route_configs", 3 },
        { Weft.Xds.Envoy.Admin.V3.EndpointsConfigDump.Descriptor.FullName, "dynamic_endpoint_configs", 3 },
        { Weft.Xds.Envoy.Admin.V3.EndpointsConfigDump.Types.DynamicEndpointConfig.Descriptor.FullName, "endpoint_config", 2 },
    };

    [Theory]
    [MemberData(nameof(Fields))]
    public void Field_number_is_Envoys(string message, string field, int number)
    {
        var descriptor = Descriptors.Message(message);
        var f = descriptor.FindFieldByName(field);
        Assert.NotNull(f);
        Assert.Equal(number, f.FieldNumber);
    }

    [Fact]
    public void A_cluster_with_only_connect_timeout_is_field_4_on_the_wire()
    {
        var bytes = new Cluster { ConnectTimeout = Duration.FromTimeSpan(TimeSpan.FromSeconds(10)) }.ToByteArray();

        // tag (4 << 3 | length-delimited), length 2, Duration{seconds (1 << 3 | varint) = 10}
        Assert.Equal(new byte[] { 0x22, 0x02, 0x08, 0x0a }, bytes);
    }

    [Fact]
    public void A_route_action_timeout_is_field_8_on_the_wire()
    {
        var bytes = new RouteAction { Timeout = Duration.FromTimeSpan(TimeSpan.FromSeconds(1)) }.ToByteArray();
        Assert.Equal(new byte[] { 0x42, 0x02, 0x08, 0x01 }, bytes);
    }

    [Fact]
    public void An_eds_cluster_encodes_exactly_as_Envoy_would()
    {
        var cluster = new Cluster { Name = "a", Type = Cluster.Types.DiscoveryType.Eds, LbPolicy = Cluster.Types.LbPolicy.LeastRequest };

        // name (1, "a"), type (2, EDS = 3), lb_policy (6, LEAST_REQUEST = 1)
        Assert.Equal(new byte[] { 0x0a, 0x01, 0x61, 0x10, 0x03, 0x30, 0x01 }, cluster.ToByteArray());
    }

    [Fact]
    public void Enum_values_are_Envoys()
    {
        Assert.Equal(3, (int)Cluster.Types.DiscoveryType.Eds);
        Assert.Equal(4, (int)Cluster.Types.DiscoveryType.OriginalDst);
        Assert.Equal(5, (int)Cluster.Types.LbPolicy.Maglev);
        Assert.Equal(6, (int)Cluster.Types.LbPolicy.ClusterProvided);
        Assert.Equal(3, (int)HealthStatus.Draining);
        Assert.Equal(2, (int)ApiVersion.V3);
        Assert.Equal(6, (int)ApiConfigSource.Types.ApiType.AggregatedDeltaGrpc);
        Assert.Equal(2, (int)HeaderValueOption.Types.HeaderAppendAction.OverwriteIfExistsOrAdd);
        Assert.Equal(2, (int)HttpConnectionManager.Types.ForwardClientCertDetails.AppendForward);
        Assert.Equal(2, (int)Envoy.Type.V3.FractionalPercent.Types.DenominatorType.Million);
        Assert.Equal(4, (int)TlsParameters.Types.TlsProtocol.Tlsv13);
        Assert.Equal(2, (int)RBAC.Types.Action.Log);
        Assert.Equal(403, (int)Envoy.Type.V3.StatusCode.Forbidden);
    }

    [Fact]
    public void Oneofs_carry_Envoys_names()
    {
        Assert.Equal("cluster_discovery_type", Cluster.Descriptor.FindFieldByName("type").ContainingOneof.Name);
        Assert.Equal("lb_config", Cluster.Descriptor.FindFieldByName("ring_hash_lb_config").ContainingOneof.Name);
        Assert.Equal("path_specifier", RouteMatch.Descriptor.FindFieldByName("path_separated_prefix").ContainingOneof.Name);
        Assert.Equal("cluster_specifier", RouteAction.Descriptor.FindFieldByName("weighted_clusters").ContainingOneof.Name);
        Assert.Equal("host_rewrite_specifier", RouteAction.Descriptor.FindFieldByName("host_rewrite_literal").ContainingOneof.Name);
        Assert.Equal("action", Route.Descriptor.FindFieldByName("direct_response").ContainingOneof.Name);
        Assert.Equal("route_specifier", HttpConnectionManager.Descriptor.FindFieldByName("rds").ContainingOneof.Name);
        Assert.Equal("config_source_specifier", ConfigSource.Descriptor.FindFieldByName("ads").ContainingOneof.Name);
    }
}

/// <summary>Looks message descriptors up by full name across all of Weft.Xds's files.</summary>
internal static class Descriptors
{
    internal static readonly Lazy<IReadOnlyList<FileDescriptor>> Files = new(() =>
        typeof(XdsAssembly).Assembly.GetTypes()
            .Where(t => t.Name.EndsWith("Reflection", StringComparison.Ordinal))
            .Select(t => t.GetProperty("Descriptor")?.GetValue(null))
            .OfType<FileDescriptor>()
            .Where(f => f.Name.StartsWith("envoy/", StringComparison.Ordinal))
            .OrderBy(f => f.Name, StringComparer.Ordinal)
            .ToList());

    private static readonly Lazy<Dictionary<string, MessageDescriptor>> All = new(() =>
    {
        var result = new Dictionary<string, MessageDescriptor>(StringComparer.Ordinal);
        foreach (var file in Files.Value)
            foreach (var m in file.MessageTypes)
                Add(m, result);
        return result;
    });

    internal static MessageDescriptor Message(string fullName) =>
        All.Value.TryGetValue(fullName, out var d) ? d : throw new KeyNotFoundException(fullName);

    internal static IEnumerable<MessageDescriptor> AllMessages => All.Value.Values;

    private static void Add(MessageDescriptor m, Dictionary<string, MessageDescriptor> into)
    {
        into[m.FullName] = m;
        foreach (var nested in m.NestedTypes)
            Add(nested, into);
    }
}
