using Google.Protobuf.Reflection;
using Google.Protobuf.WellKnownTypes;
using Weft.Xds.Envoy.Config.Cluster.V3;
using Weft.Xds.Envoy.Config.Endpoint.V3;
using Weft.Xds.Envoy.Config.Listener.V3;
using Weft.Xds.Envoy.Config.Route.V3;
using Weft.Xds.Envoy.Extensions.Filters.Http.Cors.V3;
using Weft.Xds.Envoy.Extensions.Filters.Http.Fault.V3;
using Weft.Xds.Envoy.Extensions.Filters.Http.Router.V3;
using Weft.Xds.Envoy.Extensions.Filters.Listener.HttpInspector.V3;
using Weft.Xds.Envoy.Extensions.Filters.Listener.OriginalDst.V3;
using Weft.Xds.Envoy.Extensions.Filters.Listener.OriginalSrc.V3;
using Weft.Xds.Envoy.Extensions.Filters.Listener.TlsInspector.V3;
using Weft.Xds.Envoy.Extensions.Filters.Network.HttpConnectionManager.V3;
using Weft.Xds.Envoy.Extensions.Filters.Network.TcpProxy.V3;
using Weft.Xds.Envoy.Extensions.Retry.Host.PreviousHosts.V3;
using Weft.Xds.Envoy.Extensions.Retry.Priority.PreviousPriorities.V3;
using Weft.Xds.Envoy.Extensions.TransportSockets.RawBuffer.V3;
using Weft.Xds.Envoy.Extensions.TransportSockets.Tls.V3;
using Weft.Xds.Envoy.Extensions.Upstreams.Http.V3;
using HttpRbac = Weft.Xds.Envoy.Extensions.Filters.Http.Rbac.V3;
using NetworkRbac = Weft.Xds.Envoy.Extensions.Filters.Network.Rbac.V3;

namespace Weft.Xds.Tests;

public sealed class TypeUrlTests
{
    [Theory]
    [InlineData(TypeUrls.Listener, "type.googleapis.com/envoy.config.listener.v3.Listener")]
    [InlineData(TypeUrls.RouteConfiguration, "type.googleapis.com/envoy.config.route.v3.RouteConfiguration")]
    [InlineData(TypeUrls.Cluster, "type.googleapis.com/envoy.config.cluster.v3.Cluster")]
    [InlineData(TypeUrls.ClusterLoadAssignment, "type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment")]
    [InlineData(TypeUrls.Secret, "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret")]
    [InlineData(TypeUrls.HttpConnectionManager, "type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager")]
    [InlineData(TypeUrls.TcpProxy, "type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy")]
    [InlineData(TypeUrls.Router, "type.googleapis.com/envoy.extensions.filters.http.router.v3.Router")]
    [InlineData(TypeUrls.HttpFault, "type.googleapis.com/envoy.extensions.filters.http.fault.v3.HTTPFault")]
    [InlineData(TypeUrls.UpstreamTlsContext, "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext")]
    [InlineData(TypeUrls.HttpProtocolOptions, "type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions")]
    public void Type_url_is_the_expected_string(string actual, string expected) => Assert.Equal(expected, actual);

    public static TheoryData<string, MessageDescriptor> Pairs => new()
    {
        { TypeUrls.Listener, Listener.Descriptor },
        { TypeUrls.RouteConfiguration, RouteConfiguration.Descriptor },
        { TypeUrls.Cluster, Cluster.Descriptor },
        { TypeUrls.ClusterLoadAssignment, ClusterLoadAssignment.Descriptor },
        { TypeUrls.Secret, Secret.Descriptor },
        { TypeUrls.HttpConnectionManager, HttpConnectionManager.Descriptor },
        { TypeUrls.TcpProxy, TcpProxy.Descriptor },
        { TypeUrls.NetworkRbac, NetworkRbac.RBAC.Descriptor },
        { TypeUrls.Router, Router.Descriptor },
        { TypeUrls.FileAccessLog, Weft.Xds.Envoy.Extensions.AccessLoggers.File.V3.FileAccessLog.Descriptor },
        { TypeUrls.CelAccessLogFilter, Weft.Xds.Envoy.Extensions.AccessLoggers.Filters.Cel.V3.ExpressionFilter.Descriptor },
        { TypeUrls.HttpFault, HTTPFault.Descriptor },
        { TypeUrls.Cors, Cors.Descriptor },
        { TypeUrls.CorsPolicy, CorsPolicy.Descriptor },
        { TypeUrls.HttpRbac, HttpRbac.RBAC.Descriptor },
        { TypeUrls.HttpRbacPerRoute, HttpRbac.RBACPerRoute.Descriptor },
        { TypeUrls.HttpExtAuthz, Weft.Xds.Envoy.Extensions.Filters.Http.ExtAuthz.V3.ExtAuthz.Descriptor },
        { TypeUrls.JwtAuthentication, Weft.Xds.Envoy.Extensions.Filters.Http.JwtAuthn.V3.JwtAuthentication.Descriptor },
        { TypeUrls.IstioAlpn, Weft.Xds.Istio.Envoy.Config.Filter.Http.Alpn.V2Alpha1.FilterConfig.Descriptor },
        { TypeUrls.IstioStats, Weft.Xds.Istio.Stats.PluginConfig.Descriptor },
        { TypeUrls.NetworkExtAuthz, Weft.Xds.Envoy.Extensions.Filters.Network.ExtAuthz.V3.ExtAuthz.Descriptor },
        { TypeUrls.UriTemplateMatch, Weft.Xds.Envoy.Extensions.Path.Match.UriTemplate.V3.UriTemplateMatchConfig.Descriptor },
        { TypeUrls.RouteFilterConfig, FilterConfig.Descriptor },
        { TypeUrls.TlsInspector, TlsInspector.Descriptor },
        { TypeUrls.HttpInspector, HttpInspector.Descriptor },
        { TypeUrls.OriginalDst, OriginalDst.Descriptor },
        { TypeUrls.OriginalSrc, OriginalSrc.Descriptor },
        { TypeUrls.UpstreamTlsContext, UpstreamTlsContext.Descriptor },
        { TypeUrls.DownstreamTlsContext, DownstreamTlsContext.Descriptor },
        { TypeUrls.RawBuffer, RawBuffer.Descriptor },
        { TypeUrls.SpiffeCertValidatorConfig, SPIFFECertValidatorConfig.Descriptor },
        { TypeUrls.HttpProtocolOptions, HttpProtocolOptions.Descriptor },
        { TypeUrls.PreviousHostsPredicate, PreviousHostsPredicate.Descriptor },
        { TypeUrls.PreviousPrioritiesConfig, PreviousPrioritiesConfig.Descriptor },
        { TypeUrls.UdpaTypedStruct, Weft.Xds.Udpa.Type.V1.TypedStruct.Descriptor },
        { TypeUrls.XdsTypedStruct, Weft.Xds.Cncf.Type.V3.TypedStruct.Descriptor },
    };

    /// <summary>Types of Istio's proxy that only ever travel inside a TypedStruct, so Weft has no message for them.</summary>
    public static TheoryData<string, string> TypedStructOnly => new()
    {
        { TypeUrls.MetadataExchange, "type.googleapis.com/envoy.tcp.metadataexchange.config.MetadataExchange" },
        { TypeUrls.PeerMetadata, "type.googleapis.com/io.istio.http.peer_metadata.Config" },
    };

    [Theory]
    [MemberData(nameof(TypedStructOnly))]
    public void Type_url_of_a_type_only_istio_proxy_defines_is_the_expected_string(string actual, string expected) => Assert.Equal(expected, actual);

    [Theory]
    [MemberData(nameof(Pairs))]
    public void Type_url_names_the_generated_message(string url, MessageDescriptor descriptor)
    {
        Assert.Equal(url, TypeUrls.Of(descriptor));
    }

    [Fact]
    public void Packing_a_resource_gives_its_type_url()
    {
        Assert.Equal(TypeUrls.Cluster, Any.Pack(new Cluster()).TypeUrl);
        Assert.Equal(TypeUrls.HttpConnectionManager, Any.Pack(new HttpConnectionManager()).TypeUrl);
    }

    [Fact]
    public void Every_type_url_constant_is_checked()
    {
        var constants = typeof(TypeUrls).GetFields().Where(f => f.IsLiteral).Select(f => (string)f.GetRawConstantValue()!).ToHashSet();
        var covered = Pairs.Select(row => (string)row[0]).Concat(TypedStructOnly.Select(row => (string)row[0])).ToHashSet();
        Assert.Empty(constants.Except(covered));
    }

    [Fact]
    public void Push_order_short_names_and_wildcards()
    {
        Assert.Equal(["CDS", "EDS", "LDS", "RDS", "SDS"], TypeUrls.PushOrder.Select(TypeUrls.ShortName));
        Assert.True(TypeUrls.IsWildcardType(TypeUrls.Listener));
        Assert.True(TypeUrls.IsWildcardType(TypeUrls.Cluster));
        Assert.False(TypeUrls.IsWildcardType(TypeUrls.RouteConfiguration));
        Assert.False(TypeUrls.IsWildcardType(TypeUrls.ClusterLoadAssignment));
        Assert.False(TypeUrls.IsWildcardType(TypeUrls.Secret));
        Assert.Equal("x", TypeUrls.ShortName("x"));
    }
}
