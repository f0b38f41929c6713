using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Weft.Proxy.Tls;

/// <summary>
/// Certificate revocation lists (X.509 CRLs, PEM or DER) as a validation context's <c>crl</c> gives them, checked the way
/// Envoy's default validator checks them: every certificate of the peer's chain below the trusted root (only the leaf
/// with <c>only_verify_leaf_cert_crl</c>) needs a CRL from its issuer, signed by that issuer and not past its next
/// update, that does not list its serial number. A chain with a CA for which no CRL is given fails, as in Envoy.
/// </summary>
internal sealed class RevocationList
{
    private readonly IReadOnlyList<Crl> _lists;

    private RevocationList(IReadOnlyList<Crl> lists, bool leafOnly)
    {
        _lists = lists;
        LeafOnly = leafOnly;
    }

    /// <summary>Check the leaf only (<c>only_verify_leaf_cert_crl</c>).</summary>
    public bool LeafOnly { get; }

    public int Count => _lists.Count;

    /// <summary>Reads one or more CRLs from PEM (<c>X509 CRL</c> blocks) or a single DER one; a <see cref="FormatException"/> says what is wrong.</summary>
    public static RevocationList Parse(byte[] data, bool leafOnly)
    {
        var text = Encoding.ASCII.GetString(data);
        var lists = new List<Crl>();
        if (text.Contains("-----BEGIN", StringComparison.Ordinal))
        {
            var rest = text.AsSpan();
            while (PemEncoding.TryFind(rest, out var fields))
            {
                var label = rest[fields.Label].ToString();
                if (label == "X509 CRL")
                {
                    lists.Add(Crl.Decode(Convert.FromBase64String(rest[fields.Base64Data].ToString())));
                }

                rest = rest[fields.Location.End..];
            }

            if (lists.Count == 0)
            {
                throw new FormatException("holds no PEM \"X509 CRL\" block");
            }
        }
        else
        {
            lists.Add(Crl.Decode(data));
        }

        return new RevocationList(lists, leafOnly);
    }

    /// <summary>Null when the chain (leaf first, trusted root last) passes; otherwise why it does not.</summary>
    public string? Check(IReadOnlyList<X509Certificate2> chain, DateTimeOffset now)
    {
        var checkedCount = LeafOnly ? Math.Min(1, chain.Count - 1) : chain.Count - 1;
        for (var i = 0; i < checkedCount; i++)
        {
            var certificate = chain[i];
            var issuer = chain[i + 1];
            Crl? crl = null;
            foreach (var list in _lists)
            {
                if (list.IssuedBy(issuer))
                {
                    crl = list;
                    break;
                }
            }

            if (crl is null)
            {
                return $"no CRL from {issuer.Subject}, the issuer of {certificate.Subject}";
            }

            if (crl.NextUpdate is { } next && next < now)
            {
                return $"the CRL from {issuer.Subject} expired at {next:u}";
            }

            if (crl.Revoked.Contains(Serial(certificate.SerialNumberBytes.Span)))
            {
                return $"certificate {certificate.Subject} (serial {certificate.SerialNumber}) is revoked";
            }
        }

        return null;
    }

    /// <summary>A serial number as comparable hex: big-endian, leading zero bytes dropped.</summary>
    private static string Serial(ReadOnlySpan<byte> bigEndian)
    {
        var start = 0;
        while (start < bigEndian.Length - 1 && bigEndian[start] == 0)
        {
            start++;
        }

        return Convert.ToHexString(bigEndian[start..]);
    }

    private sealed record Crl(byte[] Issuer, byte[] Signed, string Algorithm, byte[] Signature, DateTimeOffset? NextUpdate, HashSet<string> Revoked)
    {
        public static Crl Decode(byte[] der)
        {
            try
            {
                var reader = new AsnReader(der, AsnEncodingRules.DER);
                var list = reader.ReadSequence();
                var signed = list.PeekEncodedValue().ToArray();
                var tbs = list.ReadSequence();
                var algorithm = list.ReadSequence().ReadObjectIdentifier();
                var signature = list.ReadBitString(out _);
                if (tbs.PeekTag().HasSameClassAndValue(Asn1Tag.Integer))
                {
                    tbs.ReadInteger();
                }

                tbs.ReadSequence(); // the signature algorithm again
                var issuer = tbs.ReadEncodedValue().ToArray();
                ReadTime(tbs);
                DateTimeOffset? next = null;
                if (tbs.HasData && (tbs.PeekTag().HasSameClassAndValue(Asn1Tag.UtcTime) || tbs.PeekTag().HasSameClassAndValue(Asn1Tag.GeneralizedTime)))
                {
                    next = ReadTime(tbs);
                }

                var revoked = new HashSet<string>(StringComparer.Ordinal);
                if (tbs.HasData && tbs.PeekTag().HasSameClassAndValue(Asn1Tag.Sequence))
                {
                    var entries = tbs.ReadSequence();
                    while (entries.HasData)
                    {
                        var entry = entries.ReadSequence();
                        revoked.Add(Serial(entry.ReadIntegerBytes().Span));
                    }
                }

                return new Crl(issuer, signed, algorithm, signature, next, revoked);
            }
            catch (AsnContentException e)
            {
                throw new FormatException($"is not an X.509 CRL: {e.Message}", e);
            }
        }

        private static DateTimeOffset ReadTime(AsnReader reader) =>
            reader.PeekTag().HasSameClassAndValue(Asn1Tag.UtcTime) ? reader.ReadUtcTime() : reader.ReadGeneralizedTime();

        // The issuer key that verified the signature: the check is done once per key, not at every handshake.
        private byte[]? _verifiedKey;

        /// <summary>Whether <paramref name="issuer"/> issued this CRL: its subject is the CRL's issuer and its key verifies the signature.</summary>
        public bool IssuedBy(X509Certificate2 issuer)
        {
            if (!issuer.SubjectName.RawData.AsSpan().SequenceEqual(Issuer))
            {
                return false;
            }

            var key = issuer.GetPublicKey();
            if (Volatile.Read(ref _verifiedKey) is { } verified && verified.AsSpan().SequenceEqual(key))
            {
                return true;
            }

            if (!SignatureVerifies(issuer))
            {
                return false;
            }

            Volatile.Write(ref _verifiedKey, key);
            return true;
        }

        private bool SignatureVerifies(X509Certificate2 issuer)
        {
            var hash = Algorithm switch
            {
                "1.2.840.113549.1.1.11" or "1.2.840.10045.4.3.2" => HashAlgorithmName.SHA256,
                "1.2.840.113549.1.1.12" or "1.2.840.10045.4.3.3" => HashAlgorithmName.SHA384,
                "1.2.840.113549.1.1.13" or "1.2.840.10045.4.3.4" => HashAlgorithmName.SHA512,
                "1.2.840.113549.1.1.5" or "1.2.840.10045.4.1" => HashAlgorithmName.SHA1,
                _ => default,
            };
            if (hash == default)
            {
                return false;
            }

            if (Algorithm.StartsWith("1.2.840.113549", StringComparison.Ordinal))
            {
                using var rsa = issuer.GetRSAPublicKey();
                return rsa is not null && rsa.VerifyData(Signed, Signature, hash, RSASignaturePadding.Pkcs1);
            }

            using var ecdsa = issuer.GetECDsaPublicKey();
            return ecdsa is not null && ecdsa.VerifyData(Signed, Signature, hash, DSASignatureFormat.Rfc3279DerSequence);
        }
    }
}
