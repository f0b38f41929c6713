using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Weft.Proxy.Xds;
using Weft.Xds.Istio.Security.V1Alpha1;

namespace Weft.Proxy.Identity;

/// <summary>
/// Asks the control plane's CA for a workload certificate, as Istio's agent does: a fresh ECDSA P-256 key, a CSR for the
/// workload's SPIFFE id, <c>IstioCertificateService/CreateCertificate</c> with the node id in the request's metadata
/// (<c>NodeId</c>), the <c>ClusterID</c> header and, when configured, the bearer token. The answer is the leaf,
/// intermediates and root, root last.
/// </summary>
internal sealed class CertificateClient(IstioCertificateService.IstioCertificateServiceClient ca, NodeIdentity node, string spiffeId, ControlPlaneSecurity security, TimeSpan? ttl, TimeProvider time)
{
    public string SpiffeId { get; } = spiffeId;

    /// <summary>A new certificate and the root it chains to; <see cref="FormatException"/> when the answer is unusable.</summary>
    public async Task<(WorkloadCertificate Certificate, TrustBundle Roots)> IssueAsync(CancellationToken cancel)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(new X500DistinguishedName(string.Empty), key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddUri(new Uri(SpiffeId));
        request.CertificateExtensions.Add(names.Build(critical: true));
        var metadata = new Struct();
        metadata.Fields["NodeId"] = Value.ForString(node.Id);
        var call = new IstioCertificateRequest
        {
            Csr = request.CreateSigningRequestPem(),
            ValidityDuration = ttl is { } t ? (long)t.TotalSeconds : 0,
            Metadata = metadata,
        };
        var headers = security.Headers() ?? [];
        headers.Add("ClusterID", node.ClusterId);
        var asked = time.GetUtcNow();
        var response = await ca.CreateCertificateAsync(call, headers, cancellationToken: cancel).ConfigureAwait(false);
        if (response.CertChain.Count < 2)
        {
            throw new FormatException($"the CA answered with {response.CertChain.Count} certificate(s); a chain needs the leaf and the root");
        }

        X509Certificate2 leaf;
        var intermediates = new X509Certificate2Collection();
        try
        {
            using var issued = X509Certificate2.CreateFromPem(response.CertChain[0]);
            using var withKey = issued.CopyWithPrivateKey(key);

            // Through PKCS#12 so the key outlives this method on every platform.
            leaf = X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
            foreach (var pem in response.CertChain.Skip(1).SkipLast(1))
            {
                intermediates.Add(X509Certificate2.CreateFromPem(pem));
            }
        }
        catch (CryptographicException e)
        {
            throw new FormatException($"the CA's certificate chain does not parse: {e.Message}", e);
        }

        if (!SubjectAltNames.Uris(leaf).Contains(SpiffeId, StringComparer.Ordinal))
        {
            throw new FormatException($"the CA issued a certificate for {string.Join(", ", SubjectAltNames.Uris(leaf))}, not {SpiffeId}");
        }

        var chainPem = string.Concat(response.CertChain.SkipLast(1).Select(p => p.EndsWith('\n') ? p : p + "\n"));
        var certificate = new WorkloadCertificate(leaf, intermediates, chainPem, leaf.SerialNumber, asked);
        var roots = TrustBundle.FromPem(response.CertChain[^1], "the CA's root", asked);
        return (certificate, roots);
    }
}
