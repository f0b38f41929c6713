using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace Weft.Xds;

/// <summary>
/// Renders xDS messages as protobuf JSON (the form Envoy's config dumps use), with every type Weft packs into an
/// <c>Any</c> known, so nested <c>typed_config</c> values print as objects rather than bytes.
/// </summary>
public static class XdsJson
{
    /// <summary>Every message that Weft sends packed in an <c>Any</c> (and the admin config dumps), with the files they import.</summary>
    public static TypeRegistry Types { get; } = TypeRegistry.FromFiles(
        Envoy.Admin.V3.ConfigDumpReflection.Descriptor,
        Envoy.Admin.V3.ConfigDumpSharedReflection.Descriptor,
        Envoy.Config.Listener.V3.ListenerReflection.Descriptor,
        Envoy.Config.Route.V3.RouteReflection.Descriptor,
        Envoy.Config.Cluster.V3.ClusterReflection.Descriptor,
        Envoy.Config.Endpoint.V3.EndpointReflection.Descriptor,
        Envoy.Extensions.TransportSockets.Tls.V3.SecretReflection.Descriptor,
        Envoy.Extensions.TransportSockets.Tls.V3.TlsReflection.Descriptor,
        Envoy.Extensions.TransportSockets.Tls.V3.TlsSpiffeValidatorConfigReflection.Descriptor,
        Envoy.Extensions.TransportSockets.RawBuffer.V3.RawBufferReflection.Descriptor,
        Envoy.Extensions.Filters.Network.HttpConnectionManager.V3.HttpConnectionManagerReflection.Descriptor,
        Envoy.Extensions.Filters.Network.TcpProxy.V3.TcpProxyReflection.Descriptor,
        Envoy.Extensions.Filters.Network.Rbac.V3.RbacReflection.Descriptor,
        Envoy.Extensions.Filters.Http.Router.V3.RouterReflection.Descriptor,
        Envoy.Extensions.AccessLoggers.File.V3.FileReflection.Descriptor,
        Envoy.Extensions.AccessLoggers.Filters.Cel.V3.CelReflection.Descriptor,
        Envoy.Extensions.Filters.Http.Fault.V3.FaultReflection.Descriptor,
        Envoy.Extensions.Filters.Http.Cors.V3.CorsReflection.Descriptor,
        Envoy.Extensions.Filters.Http.Rbac.V3.RbacReflection.Descriptor,
        Envoy.Extensions.Filters.Http.ExtAuthz.V3.ExtAuthzReflection.Descriptor,
        Envoy.Extensions.Filters.Http.JwtAuthn.V3.ConfigReflection.Descriptor,
        Istio.Envoy.Config.Filter.Http.Alpn.V2Alpha1.ConfigReflection.Descriptor,
        Istio.Stats.ConfigReflection.Descriptor,
        Udpa.Type.V1.TypedStructReflection.Descriptor,
        Cncf.Type.V3.TypedStructReflection.Descriptor,
        Envoy.Extensions.Filters.Network.ExtAuthz.V3.ExtAuthzReflection.Descriptor,
        Envoy.Extensions.Path.Match.UriTemplate.V3.UriTemplateMatchReflection.Descriptor,
        Envoy.Extensions.Filters.Listener.TlsInspector.V3.TlsInspectorReflection.Descriptor,
        Envoy.Extensions.Filters.Listener.HttpInspector.V3.HttpInspectorReflection.Descriptor,
        Envoy.Extensions.Filters.Listener.OriginalDst.V3.OriginalDstReflection.Descriptor,
        Envoy.Extensions.Filters.Listener.OriginalSrc.V3.OriginalSrcReflection.Descriptor,
        Envoy.Extensions.Upstreams.Http.V3.HttpProtocolOptionsReflection.Descriptor,
        Envoy.Extensions.Retry.Host.PreviousHosts.V3.PreviousHostsReflection.Descriptor,
        Envoy.Extensions.Retry.Priority.PreviousPriorities.V3.PreviousPrioritiesConfigReflection.Descriptor);

    private static readonly JsonFormatter Formatter = new(JsonFormatter.Settings.Default.WithTypeRegistry(Types).WithIndentation());

    /// <summary>Indented protobuf JSON of a message.</summary>
    public static string Format(IMessage message) => Formatter.Format(message);
}
