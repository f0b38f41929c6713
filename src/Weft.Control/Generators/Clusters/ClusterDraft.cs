using Google.Protobuf.WellKnownTypes;
using Weft.Xds.Envoy.Config.Cluster.V3;
using Weft.Xds.Envoy.Config.Core.V3;
using HttpProtocolOptions = Weft.Xds.Envoy.Extensions.Upstreams.Http.V3.HttpProtocolOptions;

namespace Weft.Control.Generators.Clusters;

/// <summary>
/// A cluster being built, with its upstream HTTP protocol options kept aside until the end (as Istio's clusterWrapper
/// does): several steps add to those options (h2, idle timeout, auto SNI), and they are packed into
/// <c>typed_extension_protocol_options</c> once, by <see cref="Finish"/>.
/// </summary>
internal sealed class ClusterDraft(Cluster cluster)
{
    /// <summary>The key of HTTP protocol options in <c>typed_extension_protocol_options</c>.</summary>
    public const string ProtocolOptionsKey = "envoy.extensions.upstreams.http.v3.HttpProtocolOptions";

    public Cluster Cluster { get; } = cluster;

    /// <summary>Null until some step needs upstream HTTP options; a cluster without them gets none.</summary>
    public HttpProtocolOptions? HttpOptions { get; private set; }

    public HttpProtocolOptions EnsureHttpOptions() => HttpOptions ??= new HttpProtocolOptions();

    /// <summary>Whether the cluster speaks HTTP/2 whatever the downstream protocol (Istio's isHttp2Cluster).</summary>
    public bool IsHttp2 => HttpOptions?.ExplicitHttpConfig?.Http2ProtocolOptions is not null;

    /// <summary>Makes the cluster HTTP/2, unless a protocol was already chosen (use_downstream_protocol stays).</summary>
    public void SetHttp2()
    {
        var options = EnsureHttpOptions();
        if (options.UpstreamProtocolOptionsCase == HttpProtocolOptions.UpstreamProtocolOptionsOneofCase.None)
        {
            options.ExplicitHttpConfig = new HttpProtocolOptions.Types.ExplicitHttpConfig { Http2ProtocolOptions = new Http2ProtocolOptions() };
        }
    }

    /// <summary>Upstream HTTP/1.1 or HTTP/2 as the downstream request was, keeping any explicit HTTP/1 options.</summary>
    public void SetUseDownstreamProtocol()
    {
        var options = EnsureHttpOptions();
        options.UseDownstreamProtocolConfig = new HttpProtocolOptions.Types.UseDownstreamHttpConfig
        {
            HttpProtocolOptions = options.ExplicitHttpConfig?.HttpProtocolOptions ?? new Http1ProtocolOptions(),
            Http2ProtocolOptions = new Http2ProtocolOptions(),
        };
    }

    /// <summary>Packs the HTTP options (Envoy requires a protocol choice, so HTTP/1 when none was made) and returns the cluster.</summary>
    public Cluster Finish()
    {
        if (HttpOptions is { } options)
        {
            if (options.UpstreamProtocolOptionsCase == HttpProtocolOptions.UpstreamProtocolOptionsOneofCase.None)
            {
                options.ExplicitHttpConfig = new HttpProtocolOptions.Types.ExplicitHttpConfig { HttpProtocolOptions = new Http1ProtocolOptions() };
            }

            Cluster.TypedExtensionProtocolOptions[ProtocolOptionsKey] = Any.Pack(options);
        }

        return Cluster;
    }
}
