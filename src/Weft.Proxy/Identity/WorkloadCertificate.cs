using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Weft.Proxy.Identity;

/// <summary>
/// The workload's certificate (SDS <c>default</c>): the leaf with its private key, the intermediates sent with it, and
/// the chain as the CA returned it in PEM (what <c>/config_dump</c> shows; the key never leaves the process).
/// <see cref="Context"/> is built once and handed to every handshake that presents this certificate.
/// </summary>
internal sealed class WorkloadCertificate
{
    public WorkloadCertificate(X509Certificate2 leaf, X509Certificate2Collection intermediates, string chainPem, string version, DateTimeOffset received)
    {
        Leaf = leaf;
        Intermediates = intermediates;
        ChainPem = chainPem;
        Version = version;
        Received = received;
        Context = SslStreamCertificateContext.Create(leaf, intermediates, offline: true);
    }

    public X509Certificate2 Leaf { get; }

    public X509Certificate2Collection Intermediates { get; }

    public string ChainPem { get; }

    /// <summary>Changes with every certificate (its serial number), as an SDS version would.</summary>
    public string Version { get; }

    /// <summary>When the proxy got it.</summary>
    public DateTimeOffset Received { get; }

    public SslStreamCertificateContext Context { get; }

    public DateTimeOffset NotBefore => new(Leaf.NotBefore.ToUniversalTime(), TimeSpan.Zero);

    public DateTimeOffset NotAfter => new(Leaf.NotAfter.ToUniversalTime(), TimeSpan.Zero);

    /// <summary>The URI SANs of the leaf (the SPIFFE id).</summary>
    public IReadOnlyList<string> UriSans => SubjectAltNames.Uris(Leaf);
}
