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

    /// <summary>
    /// A certificate from PEM: the chain (leaf first, then the intermediates sent with it) and the leaf's private key.
    /// Throws <see cref="System.Security.Cryptography.CryptographicException"/> or <see cref="ArgumentException"/> when
    /// they do not load or do not belong together.
    /// </summary>
    public static WorkloadCertificate FromPem(string chainPem, string keyPem, DateTimeOffset received)
    {
        using var loaded = X509Certificate2.CreateFromPem(chainPem, keyPem);

        // Through PKCS#12 so that the key is usable by the handshake (a PEM-loaded key is ephemeral on some platforms).
        var leaf = X509CertificateLoader.LoadPkcs12(loaded.Export(X509ContentType.Pkcs12), null);
        var all = new X509Certificate2Collection();
        all.ImportFromPem(chainPem);
        var intermediates = new X509Certificate2Collection();
        foreach (var extra in all.Skip(1))
        {
            intermediates.Add(extra);
        }

        return new WorkloadCertificate(leaf, intermediates, chainPem, leaf.SerialNumber, received);
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
