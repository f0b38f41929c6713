using System.Security.Cryptography.X509Certificates;
using Weft.Control.Ca;
using Weft.Control.Model;

namespace Weft.Control.Xds;

/// <summary>
/// Decides which namespace an ADS stream's proxy is proven to belong to, before it is served anything that only that
/// namespace may see (a gateway's <c>credentialName</c> secrets). As istiod: streams on the plaintext port are served
/// configuration but have no verified identity, so they get no secrets; streams on the TLS port
/// (<c>--secure-xds-address</c>) are verified as istiod verifies them: a client certificate from this CA proves its
/// SPIFFE id's namespace, which must be the one the node id claims; without one, the stream is verified the way the CA
/// verifies a certificate request. With <c>--require-tokens</c> it must then carry the bearer token of the workload its
/// node id names, or it is refused; without, naming the workload is the proof (local mode's trust, documented for the CA).
/// </summary>
internal sealed class XdsAuthenticator(WorkloadTokens? tokens)
{
    public static readonly XdsAuthenticator Local = new(null);

    /// <summary>The verified namespace (null: none); <paramref name="refusal"/> says why a stream must be refused.</summary>
    public string? Verify(ProxyNode proxy, XdsCaller caller, out string? refusal)
    {
        refusal = null;
        if (!caller.OverTls)
        {
            return null;
        }

        if (caller.Certificate is { } certificate)
        {
            var spiffe = certificate.Extensions.Cast<X509Extension>()
                .Where(e => e.Oid?.Value == SubjectAltNames.Oid)
                .SelectMany(SubjectAltNames.Uris)
                .FirstOrDefault(u => u.StartsWith("spiffe://", StringComparison.Ordinal));
            if (spiffe is null || !SpiffeId.TryParse(spiffe, out var ns, out _))
            {
                refusal = "the client certificate has no SPIFFE id spiffe://TRUST_DOMAIN/ns/NAMESPACE/sa/SERVICE_ACCOUNT";
                return null;
            }

            if (ns != proxy.Namespace)
            {
                refusal = $"the client certificate is for namespace {ns} ({spiffe}), but the node id claims namespace {proxy.Namespace}";
                return null;
            }

            return ns;
        }

        if (tokens is not null)
        {
            var claim = new WorkloadClaim(proxy.WorkloadName, proxy.Namespace);
            refusal = tokens.Check(claim, caller.Authorization);
            if (refusal is not null)
            {
                return null;
            }
        }

        return proxy.Namespace;
    }
}
