using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Weft.Proxy.Identity;
using Weft.Proxy.Snapshot;
using Weft.Proxy.Xds;
using Weft.Xds;
using Weft.Xds.Envoy.Admin.V3;
using Weft.Xds.Envoy.Config.Core.V3;
using Weft.Xds.Envoy.Extensions.TransportSockets.Tls.V3;

namespace Weft.Proxy.Admin;

/// <summary>
/// The proxy's <c>/config_dump</c>, shaped as Envoy's: one dump each for clusters, endpoints, listeners and routes, with
/// every resource's version and time. Resources of the snapshot in force are active; resources accepted since, still
/// waiting for what they reference (a cluster for its endpoints), are warming. Envoy shows endpoints only with
/// <c>?include_eds</c>; this dump always includes them.
/// </summary>
internal static class ConfigDumpBuilder
{
    private static readonly JsonFormatter Formatter = new(JsonFormatter.Settings.Default
        .WithTypeRegistry(XdsJson.Types)
        .WithPreserveProtoFieldNames(true)
        .WithIndentation());

    public static string Json(ProxySnapshot? active, XdsConfig latest, SecretStore? secrets = null) => Formatter.Format(Build(active, latest, secrets));

    public static ConfigDump Build(ProxySnapshot? active, XdsConfig latest, SecretStore? secrets = null)
    {
        var config = active?.Config ?? XdsConfig.Empty;
        var dump = new ConfigDump();
        dump.Configs.Add(Any.Pack(Clusters(config, latest)));
        dump.Configs.Add(Any.Pack(Endpoints(config)));
        dump.Configs.Add(Any.Pack(Listeners(config, latest)));
        dump.Configs.Add(Any.Pack(Routes(config)));
        if (secrets is not null)
        {
            dump.Configs.Add(Any.Pack(Secrets(secrets)));
        }

        return dump;
    }

    private static ClustersConfigDump Clusters(XdsConfig active, XdsConfig latest)
    {
        var dump = new ClustersConfigDump { VersionInfo = active.Clusters.Version };
        foreach (var resource in Sorted(active.Clusters))
        {
            dump.DynamicActiveClusters.Add(new ClustersConfigDump.Types.DynamicCluster { VersionInfo = resource.Version, Cluster = Any.Pack(resource.Message), LastUpdated = Time(resource) });
        }

        foreach (var resource in Warming(active.Clusters, latest.Clusters))
        {
            dump.DynamicWarmingClusters.Add(new ClustersConfigDump.Types.DynamicCluster { VersionInfo = resource.Version, Cluster = Any.Pack(resource.Message), LastUpdated = Time(resource) });
        }

        return dump;
    }

    private static EndpointsConfigDump Endpoints(XdsConfig active)
    {
        var dump = new EndpointsConfigDump();
        foreach (var resource in Sorted(active.Endpoints))
        {
            dump.DynamicEndpointConfigs.Add(new EndpointsConfigDump.Types.DynamicEndpointConfig { VersionInfo = resource.Version, EndpointConfig = Any.Pack(resource.Message), LastUpdated = Time(resource) });
        }

        return dump;
    }

    private static ListenersConfigDump Listeners(XdsConfig active, XdsConfig latest)
    {
        var dump = new ListenersConfigDump { VersionInfo = active.Listeners.Version };
        foreach (var resource in Sorted(active.Listeners))
        {
            dump.DynamicListeners.Add(new ListenersConfigDump.Types.DynamicListener { Name = resource.Name, ActiveState = State(resource) });
        }

        foreach (var resource in Warming(active.Listeners, latest.Listeners))
        {
            var existing = dump.DynamicListeners.FirstOrDefault(l => l.Name == resource.Name);
            if (existing is null)
            {
                dump.DynamicListeners.Add(existing = new ListenersConfigDump.Types.DynamicListener { Name = resource.Name });
            }

            existing.WarmingState = State(resource);
        }

        return dump;
    }

    private static RoutesConfigDump Routes(XdsConfig active)
    {
        var dump = new RoutesConfigDump();
        foreach (var resource in Sorted(active.Routes))
        {
            dump.DynamicRouteConfigs.Add(new RoutesConfigDump.Types.DynamicRouteConfig { VersionInfo = resource.Version, RouteConfig = Any.Pack(resource.Message), LastUpdated = Time(resource) });
        }

        return dump;
    }

    /// <summary>
    /// The secrets held, as Envoy dumps SDS secrets: a certificate's chain, and its private key as <c>[redacted]</c>
    /// (the key never leaves the process); a trust bundle as the validation context's trusted CA.
    /// </summary>
    private static SecretsConfigDump Secrets(SecretStore store)
    {
        var dump = new SecretsConfigDump();
        foreach (var (name, value) in store.All())
        {
            var (secret, version, updated) = value switch
            {
                WorkloadCertificate certificate => (new Secret
                {
                    Name = name,
                    TlsCertificate = new TlsCertificate
                    {
                        CertificateChain = new DataSource { InlineBytes = ByteString.CopyFromUtf8(certificate.ChainPem) },
                        PrivateKey = new DataSource { InlineString = Redacted },
                    },
                }, certificate.Version, certificate.Received),
                TrustBundle bundle => (new Secret
                {
                    Name = name,
                    ValidationContext = new CertificateValidationContext { TrustedCa = new DataSource { InlineBytes = ByteString.CopyFromUtf8(bundle.Pem) } },
                }, bundle.Version, bundle.Received),
                _ => (null, string.Empty, default),
            };
            if (secret is not null)
            {
                dump.DynamicActiveSecrets.Add(new SecretsConfigDump.Types.DynamicSecret { Name = name, VersionInfo = version, LastUpdated = Timestamp.FromDateTimeOffset(updated), Secret = Any.Pack(secret) });
            }
        }

        return dump;
    }

    /// <summary>What Envoy prints in place of a private key.</summary>
    private const string Redacted = "[redacted]";

    private static ListenersConfigDump.Types.DynamicListenerState State(AcceptedResource resource) =>
        new() { VersionInfo = resource.Version, Listener = Any.Pack(resource.Message), LastUpdated = Time(resource) };

    /// <summary>Accepted after the snapshot in force and not in it yet.</summary>
    private static IEnumerable<AcceptedResource> Warming(XdsTypeView active, XdsTypeView latest) =>
        Sorted(latest).Where(r => !active.Resources.TryGetValue(r.Name, out var current) || !ReferenceEquals(current, r));

    private static IEnumerable<AcceptedResource> Sorted(XdsTypeView view) => view.Resources.Values.OrderBy(r => r.Name, StringComparer.Ordinal);

    private static Timestamp Time(AcceptedResource resource) => Timestamp.FromDateTimeOffset(resource.LastUpdated);
}
