using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Weft.Control.Ca;

/// <summary>
/// The URI entries of a subjectAltName extension, read and written as DER: .NET's builder normalises URIs through
/// <see cref="Uri"/>, and a SPIFFE id must be carried exactly as it is compared.
/// </summary>
internal static class SubjectAltNames
{
    public const string Oid = "2.5.29.17";
    private static readonly Asn1Tag UriTag = new(TagClass.ContextSpecific, 6);

    /// <summary>
    /// An extension holding only <paramref name="uri"/>. Critical, as RFC 5280 asks when the subject is empty.
    /// </summary>
    public static X509Extension UriOnly(string uri)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            writer.WriteCharacterString(UniversalTagNumber.IA5String, uri, UriTag);
        }

        return new X509Extension(Oid, writer.Encode(), critical: true);
    }

    /// <summary>Every URI in the extension; other kinds of name are skipped.</summary>
    public static IReadOnlyList<string> Uris(X509Extension extension)
    {
        var uris = new List<string>();
        try
        {
            var reader = new AsnReader(extension.RawData, AsnEncodingRules.DER);
            var names = reader.ReadSequence();
            reader.ThrowIfNotEmpty();
            while (names.HasData)
            {
                if (names.PeekTag() == UriTag)
                {
                    uris.Add(names.ReadCharacterString(UniversalTagNumber.IA5String, UriTag));
                }
                else
                {
                    names.ReadEncodedValue();
                }
            }
        }
        catch (AsnContentException e)
        {
            throw new CryptographicException("the subjectAltName extension is not valid DER: " + e.Message, e);
        }

        return uris;
    }
}
