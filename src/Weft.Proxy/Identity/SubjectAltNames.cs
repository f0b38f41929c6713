using System.Formats.Asn1;
using System.Security.Cryptography.X509Certificates;

namespace Weft.Proxy.Identity;

/// <summary>Reads a certificate's subject alternative names by type (URI, DNS, IP, email), as Envoy's SAN matchers see them.</summary>
internal static class SubjectAltNames
{
    private const string Oid = "2.5.29.17";

    public static IReadOnlyList<string> Uris(X509Certificate2 certificate) => Read(certificate, 6);

    public static IReadOnlyList<string> Dns(X509Certificate2 certificate) => Read(certificate, 2);

    public static IReadOnlyList<string> Emails(X509Certificate2 certificate) => Read(certificate, 1);

    public static IReadOnlyList<string> IpAddresses(X509Certificate2 certificate) => Read(certificate, 7);

    /// <summary>The names of one GeneralName choice (context tag): 1 rfc822Name, 2 dNSName, 6 URI, 7 iPAddress.</summary>
    private static List<string> Read(X509Certificate2 certificate, int tag)
    {
        var names = new List<string>();
        var extension = certificate.Extensions[Oid];
        if (extension is null)
        {
            return names;
        }

        try
        {
            var reader = new AsnReader(extension.RawData, AsnEncodingRules.DER).ReadSequence();
            while (reader.HasData)
            {
                var next = reader.PeekTag();
                if (next.TagClass != TagClass.ContextSpecific || next.TagValue != tag)
                {
                    reader.ReadEncodedValue();
                    continue;
                }

                if (tag == 7)
                {
                    var bytes = reader.ReadOctetString(next);
                    names.Add(new System.Net.IPAddress(bytes).ToString());
                }
                else
                {
                    names.Add(reader.ReadCharacterString(UniversalTagNumber.IA5String, next));
                }
            }
        }
        catch (AsnContentException)
        {
            // A malformed extension names nothing.
        }

        return names;
    }
}
