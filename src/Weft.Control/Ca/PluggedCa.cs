using System.Security.Cryptography.X509Certificates;

namespace Weft.Control.Ca;

/// <summary>
/// Istio's plug-in CA: a directory with <c>ca-cert.pem</c> (the intermediate that signs), <c>ca-key.pem</c> (its key),
/// <c>root-cert.pem</c> (the root, or a bundle of roots) and <c>cert-chain.pem</c> (from <c>ca-cert.pem</c> up to the root;
/// optional when the root signed <c>ca-cert.pem</c> directly). Everything is checked before the CA serves: the key
/// belongs to the certificate, the certificate is a CA in force, and it chains to a root of <c>root-cert.pem</c>.
/// </summary>
internal static class PluggedCa
{
    private static readonly string[] Names = ["ca-cert.pem", "ca-key.pem", "root-cert.pem", "cert-chain.pem"];

    /// <summary>The plug-in CA, or null when the (default) directory holds none of its files.</summary>
    public static CertificateAuthority? Load(CaPaths paths, DateTimeOffset now)
    {
        var dir = paths.CaCertsDirectory;
        if (!Directory.Exists(dir))
        {
            return paths.CaCertsGiven ? throw new CaException($"the plug-in CA directory {dir} does not exist") : null;
        }

        string File(string name) => Path.Combine(dir, name);
        var present = Names.Where(n => System.IO.File.Exists(File(n))).ToHashSet(StringComparer.Ordinal);
        if (present.Count == 0)
        {
            return paths.CaCertsGiven ? throw new CaException($"the plug-in CA directory {dir} holds none of {string.Join(", ", Names)}") : null;
        }

        var caCert = File("ca-cert.pem");
        var caKey = File("ca-key.pem");
        var rootCert = File("root-cert.pem");
        var certChain = File("cert-chain.pem");
        if (!present.Contains("ca-cert.pem") && present.Contains("ca-key.pem"))
        {
            throw new CaException($"{caKey} exists but its certificate {caCert} does not: a plug-in CA needs both");
        }

        var missing = Names.Take(3).Where(n => !present.Contains(n)).ToArray();
        if (missing.Length > 0)
        {
            throw new CaException($"the plug-in CA in {dir} is incomplete: {string.Join(" and ", missing.Select(File))} missing (it needs ca-cert.pem, ca-key.pem and root-cert.pem, and cert-chain.pem when there are intermediates between them)");
        }

        var signerFile = PemFiles.ReadCertificates(caCert);
        var signer = signerFile[0];
        CaChecks.IsCa(signer, caCert);
        CaChecks.InForce(signer, caCert, now);
        var roots = PemFiles.ReadCertificates(rootCert);
        foreach (var root in roots)
        {
            CaChecks.InForce(root, rootCert, now);
        }

        var chainFile = present.Contains("cert-chain.pem") ? PemFiles.ReadCertificates(certChain) : [];
        foreach (var certificate in chainFile)
        {
            CaChecks.InForce(certificate, certChain, now);
        }

        var key = PemFiles.ReadKey(caKey, signer, caCert);
        try
        {
            var path = ChainOf(signer, [.. signerFile.Skip(1), .. chainFile], roots, now, caCert, rootCert, present.Contains("cert-chain.pem") ? certChain : null);
            var chainRoot = path[^1];
            IReadOnlyList<X509Certificate2> trusted = [chainRoot, .. roots.Where(r => r.Thumbprint != chainRoot.Thumbprint)];
            return new CertificateAuthority(signer, key, path.Count == 1 ? [] : path.Take(path.Count - 1).ToArray(), trusted, rootCert, $"plug-in CA from {dir}");
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }

    /// <summary>The signer's path to one of <paramref name="roots"/>, signer first, root last.</summary>
    private static List<X509Certificate2> ChainOf(X509Certificate2 signer, X509Certificate2[] intermediates, X509Certificate2[] roots, DateTimeOffset now, string caCert, string rootCert, string? certChain)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(roots);
        chain.ChainPolicy.ExtraStore.AddRange(intermediates);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationTime = now.UtcDateTime;
        if (!chain.Build(signer))
        {
            var reasons = string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation.Trim()).Where(s => s.Length > 0).Distinct());
            throw new CaException($"{caCert} does not chain to a root in {rootCert}{(certChain is null ? " (and there is no cert-chain.pem with intermediates)" : $" through {certChain}")}: {reasons}");
        }

        return chain.ChainElements.Select(e => X509CertificateLoader.LoadCertificate(e.Certificate.RawData)).ToList();
    }
}
