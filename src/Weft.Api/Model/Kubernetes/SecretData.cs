using System.Text;
using Weft.Api.Documents;
using Weft.Api.Model.Decoding;

namespace Weft.Api.Model.Kubernetes;

/// <summary>
/// A Secret's type and data (TLS credentials for gateways and DestinationRules), base64 decoded. Keys whose value is not
/// base64 are left out of <see cref="Data"/> and listed in <see cref="InvalidBase64"/>, for validation to report.
/// </summary>
public sealed record SecretData
{
    /// <summary>The type of secret that holds a certificate chain and its key (<c>tls.crt</c>, <c>tls.key</c>).</summary>
    public const string TlsType = "kubernetes.io/tls";

    // The keys Istio's credential controller reads: a generic secret's first, then a TLS secret's.
    public const string GenericCert = "cert";
    public const string GenericKey = "key";
    public const string GenericCaCert = "cacert";
    public const string TlsCert = "tls.crt";
    public const string TlsKey = "tls.key";
    public const string TlsCaCert = "ca.crt";
    public const string GenericCrl = "crl";
    public const string TlsCrl = "ca.crl";

    public string? Type { get; init; }

    public IReadOnlyDictionary<string, byte[]> Data { get; init; } = new Dictionary<string, byte[]>();

    /// <summary>The keys under <c>data</c> whose value is not valid base64.</summary>
    public IReadOnlyList<string> InvalidBase64 { get; init; } = [];

    /// <summary>Whether the secret holds something Istio would read as a TLS credential (type or keys).</summary>
    public bool IsCredential => Type == TlsType
        || Data.ContainsKey(GenericCert) || Data.ContainsKey(GenericKey) || Data.ContainsKey(GenericCaCert)
        || Data.ContainsKey(TlsCert) || Data.ContainsKey(TlsKey) || Data.ContainsKey(TlsCaCert);

    /// <summary>
    /// The certificate chain and private key, with the keys they came from, as Istio reads them: <c>cert</c>/<c>key</c>
    /// when both are non-empty, else <c>tls.crt</c>/<c>tls.key</c>; null when neither pair is there.
    /// </summary>
    public (string CertKey, byte[] Cert, string KeyKey, byte[] Key)? KeyPair()
    {
        if (NonEmpty(GenericCert) is { } cert && NonEmpty(GenericKey) is { } key)
        {
            return (GenericCert, cert, GenericKey, key);
        }

        if (NonEmpty(TlsCert) is { } tlsCert && NonEmpty(TlsKey) is { } tlsKey)
        {
            return (TlsCert, tlsCert, TlsKey, tlsKey);
        }

        return null;
    }

    /// <summary>The CA certificate(s) and the key they came from: <c>cacert</c>, else <c>ca.crt</c>; null when neither is there.</summary>
    public (string Key, byte[] Cert)? CaCertificate()
    {
        if (NonEmpty(GenericCaCert) is { } generic)
        {
            return (GenericCaCert, generic);
        }

        return NonEmpty(TlsCaCert) is { } tls ? (TlsCaCert, tls) : null;
    }

    /// <summary>
    /// The revocation list that goes with the CA certificate, and its key: <c>crl</c> beside <c>cacert</c>, <c>ca.crl</c>
    /// beside <c>ca.crt</c>; null when there is none.
    /// </summary>
    public (string Key, byte[] Crl)? CaCrl()
    {
        var key = CaCertificate()?.Key == GenericCaCert ? GenericCrl : TlsCrl;
        return NonEmpty(key) is { } crl ? (key, crl) : null;
    }

    private byte[]? NonEmpty(string key) => Data.TryGetValue(key, out var value) && value.Length > 0 ? value : null;

    internal static object Decode(MapNode node)
    {
        var data = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        var invalid = new List<string>();
        foreach (var (key, value) in NodeRead.Map(node["data"], NodeRead.String) ?? new Dictionary<string, string>())
        {
            try
            {
                data[key] = Convert.FromBase64String(value);
            }
            catch (FormatException)
            {
                // Not base64: the API server would have refused it; keep nothing rather than garbage.
                invalid.Add(key);
            }
        }

        // stringData is write-only convenience in Kubernetes: it wins over data for the same key.
        foreach (var (key, value) in NodeRead.Map(node["stringData"], NodeRead.String) ?? new Dictionary<string, string>())
        {
            data[key] = Encoding.UTF8.GetBytes(value);
        }

        return new SecretData { Type = NodeRead.String(node["type"]), Data = data, InvalidBase64 = invalid };
    }
}
