using Google.Protobuf;
using Weft.Api.Model.Kubernetes;
using Weft.Control.Config;
using Weft.Control.Model;
using Weft.Control.Push;
using Weft.Xds;
using Weft.Xds.Envoy.Config.Core.V3;
using Weft.Xds.Envoy.Extensions.TransportSockets.Tls.V3;

namespace Weft.Control.Generators.Secrets;

/// <summary>
/// SDS over ADS: the TLS credentials gateways and DestinationRules name by <c>credentialName</c>, from Kubernetes Secrets
/// in the configuration. <c>kubernetes://NAME</c> is the secret's chain and key (<c>cert</c>/<c>key</c>, else
/// <c>tls.crt</c>/<c>tls.key</c>); <c>kubernetes://NAME-cacert</c> its CA as a validation context (<c>cacert</c>, else
/// <c>ca.crt</c>, of the secret NAME-cacert if there is one, else of NAME) with the CRL beside it (<c>crl</c> or
/// <c>ca.crl</c>). As istiod does, a proxy gets only secrets of the
/// namespace it proved it belongs to on the TLS port (<see cref="ProxyNode.VerifiedNamespace"/>; none over plaintext
/// xDS), and a name it may not see, or whose secret does not exist or holds no such credential, yields no resource
/// rather than an error, so one bad reference does not hold up the others.
/// </summary>
/// <remarks>
/// istiod can also serve another namespace's secret when Kubernetes RBAC lets the proxy's service account read it
/// (a SubjectAccessReview); local mode has no RBAC, so it is the proxy's own namespace only.
/// </remarks>
public sealed class SecretGenerator : IXdsGenerator
{
    public string TypeUrl => TypeUrls.Secret;

    public IReadOnlyList<XdsResource> Generate(ProxyNode proxy, PushContext push, IReadOnlySet<string>? names)
    {
        if (names is null || names.Count == 0)
        {
            return [];
        }

        var resources = new List<XdsResource>();
        foreach (var name in names.Order(StringComparer.Ordinal))
        {
            // Only within the namespace the proxy proved it belongs to (istiod's check of the verified identity).
            if (CredentialReference.Parse(name, proxy.Namespace) is not { } reference || reference.Namespace != proxy.VerifiedNamespace)
            {
                continue;
            }

            // Built once per push for every proxy of the namespace that asks.
            var resource = push.Cached(("sds", reference.Namespace, reference.ResourceName), () => (object?)Build(reference, push.Config) ?? NoSecret);
            if (resource is XdsResource found)
            {
                resources.Add(found);
            }
        }

        return resources;
    }

    private static readonly object NoSecret = new();

    private static XdsResource? Build(CredentialReference reference, ConfigSnapshot config)
    {
        if (reference.CaOnly)
        {
            var stripped = reference.Name[..^ResourceNames.CredentialCaSuffix.Length];
            var holder = Find(config, reference.Namespace, reference.Name) ?? Find(config, reference.Namespace, stripped);
            if (holder?.CaCertificate() is not { } ca)
            {
                return null;
            }

            return new XdsResource(reference.ResourceName, new Secret
            {
                Name = reference.ResourceName,
                ValidationContext = new CertificateValidationContext
                {
                    TrustedCa = new DataSource { InlineBytes = ByteString.CopyFrom(ca.Cert) },
                    Crl = holder.CaCrl() is { } crl ? new DataSource { InlineBytes = ByteString.CopyFrom(crl.Crl) } : null,
                },
            });
        }

        if (Find(config, reference.Namespace, reference.Name)?.KeyPair() is not { } pair)
        {
            return null;
        }

        return new XdsResource(reference.ResourceName, new Secret
        {
            Name = reference.ResourceName,
            TlsCertificate = new TlsCertificate
            {
                CertificateChain = new DataSource { InlineBytes = ByteString.CopyFrom(pair.Cert) },
                PrivateKey = new DataSource { InlineBytes = ByteString.CopyFrom(pair.Key) },
            },
        });
    }

    private static SecretData? Find(ConfigSnapshot config, string ns, string name) =>
        config.Resources.TryGetValue(new ConfigKey("Secret", ns, name), out var stored) ? stored.Resource.Spec as SecretData : null;
}
