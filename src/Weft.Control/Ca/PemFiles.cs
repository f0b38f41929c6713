using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Weft.Control.Ca;

/// <summary>Reads and writes the CA's PEM files; every failure is a <see cref="CaException"/> that names the file.</summary>
internal static class PemFiles
{
    private const UnixFileMode OwnerOnlyFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode OwnerOnlyDirectory = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    /// <summary>Every certificate in the file, in file order; at least one.</summary>
    public static X509Certificate2[] ReadCertificates(string path)
    {
        var text = ReadText(path);
        var certificates = new List<X509Certificate2>();
        foreach (var block in Blocks(text))
        {
            if (block.Label != "CERTIFICATE")
            {
                continue;
            }

            try
            {
                certificates.Add(X509CertificateLoader.LoadCertificate(block.Data));
            }
            catch (CryptographicException e)
            {
                throw new CaException($"{path}: certificate {certificates.Count + 1} is not a valid X.509 certificate ({e.Message})", e);
            }
        }

        return certificates.Count > 0 ? [.. certificates] : throw new CaException($"{path} holds no PEM certificate (\"-----BEGIN CERTIFICATE-----\")");
    }

    /// <summary>
    /// The private key in <paramref name="keyPath"/>, which must be the key of <paramref name="certificate"/> (read from
    /// <paramref name="certPath"/>): PKCS#8 (<c>PRIVATE KEY</c>), SEC1 (<c>EC PRIVATE KEY</c>) or PKCS#1 (<c>RSA PRIVATE KEY</c>).
    /// </summary>
    public static AsymmetricAlgorithm ReadKey(string keyPath, X509Certificate2 certificate, string certPath)
    {
        var text = ReadText(keyPath);
        var labels = Blocks(text).Select(b => b.Label).ToArray();
        if (labels.Contains("ENCRYPTED PRIVATE KEY"))
        {
            throw new CaException($"{keyPath} holds an encrypted private key; the CA needs it unencrypted (PRIVATE KEY, EC PRIVATE KEY or RSA PRIVATE KEY)");
        }

        if (!labels.Any(l => l is "PRIVATE KEY" or "EC PRIVATE KEY" or "RSA PRIVATE KEY"))
        {
            throw new CaException($"{keyPath} holds no PEM private key (PRIVATE KEY, EC PRIVATE KEY or RSA PRIVATE KEY)");
        }

        AsymmetricAlgorithm key;
        byte[] certificateKey;
        if (certificate.GetECDsaPublicKey() is { } ecPublic)
        {
            using (ecPublic)
            {
                certificateKey = ecPublic.ExportSubjectPublicKeyInfo();
            }

            key = Import(ECDsa.Create(), keyPath, text, "an ECDSA");
        }
        else if (certificate.GetRSAPublicKey() is { } rsaPublic)
        {
            using (rsaPublic)
            {
                certificateKey = rsaPublic.ExportSubjectPublicKeyInfo();
            }

            key = Import(RSA.Create(), keyPath, text, "an RSA");
        }
        else
        {
            throw new CaException($"{certPath}: the certificate's key is neither ECDSA nor RSA ({certificate.PublicKey.Oid.FriendlyName ?? certificate.PublicKey.Oid.Value})");
        }

        if (!key.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(certificateKey))
        {
            key.Dispose();
            throw new CaException($"{keyPath} is not the private key of {certPath}: the two files do not belong together");
        }

        return key;
    }

    public static string ToPem(X509Certificate2 certificate) => PemEncoding.WriteString("CERTIFICATE", certificate.RawData) + "\n";

    /// <summary>Creates <paramref name="path"/> (and its parents) readable by the owner only, unless it exists.</summary>
    public static void CreatePrivateDirectory(string path)
    {
        if (Directory.Exists(path))
        {
            return;
        }

        try
        {
            if (OperatingSystem.IsWindows())
            {
                Directory.CreateDirectory(path);
            }
            else
            {
                Directory.CreateDirectory(path, OwnerOnlyDirectory);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CaException($"cannot create the directory {path}: {e.Message}", e);
        }
    }

    /// <summary>
    /// Writes <paramref name="text"/> to <paramref name="path"/> through a temporary file renamed into place, so a crash
    /// never leaves half a file; <paramref name="secret"/> files are created with mode 0600.
    /// </summary>
    public static void Write(string path, string text, bool secret)
    {
        var temp = path + ".tmp-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = secret ? OwnerOnlyFile : OwnerOnlyFile | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
            }

            using (var stream = new FileStream(temp, options))
            {
                stream.Write(Encoding.ASCII.GetBytes(text));
                stream.Flush(flushToDisk: true);
            }

            File.Move(temp, path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            File.Delete(temp);
            throw new CaException($"cannot write {path}: {e.Message}", e);
        }
    }

    private static AsymmetricAlgorithm Import(AsymmetricAlgorithm key, string path, string text, string kind)
    {
        try
        {
            key.ImportFromPem(text);
            return key;
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            key.Dispose();
            throw new CaException($"{path} holds no PEM private key of the certificate's type ({kind} key in a PRIVATE KEY, EC PRIVATE KEY or RSA PRIVATE KEY block): {e.Message}", e);
        }
    }

    private static string ReadText(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CaException($"cannot read {path}: {e.Message}", e);
        }
    }

    private static IEnumerable<(string Label, byte[] Data)> Blocks(string text)
    {
        var rest = text.AsMemory();
        while (PemEncoding.TryFind(rest.Span, out var fields))
        {
            var label = rest.Span[fields.Label].ToString();
            var data = Convert.FromBase64String(rest.Span[fields.Base64Data].ToString());
            yield return (label, data);
            rest = rest[fields.Location.End..];
        }
    }
}
