using Weft.Api.Documents;
using Weft.Api.Model.Kubernetes;

namespace Weft.Api.Validation.KubernetesKinds;

/// <summary>
/// Checks a Secret a gateway or DestinationRule may name by <c>credentialName</c>: what the API server refuses (values
/// under <c>data</c> that are not base64, a <c>kubernetes.io/tls</c> secret without <c>tls.crt</c> and <c>tls.key</c>),
/// and what would make the credential unusable once sent to a proxy: a certificate or CA that is not PEM, a private key
/// that does not parse or does not belong to the certificate. Secrets that hold no TLS credential are not looked into.
/// No message quotes a value.
/// </summary>
internal sealed class SecretValidator : ISpecValidator
{
    public string Kind => "Secret";

    public void Validate(ValidationContext context)
    {
        if (context.Resource.Spec is not SecretData secret)
        {
            return;
        }

        foreach (var key in secret.InvalidBase64)
        {
            context.Error($"data[{key}]", "is not valid base64 (values under data are base64; put plain text under stringData)");
        }

        if (!secret.IsCredential)
        {
            return;
        }

        if (secret.Type == SecretData.TlsType)
        {
            foreach (var required in new[] { SecretData.TlsCert, SecretData.TlsKey })
            {
                if (!secret.Data.ContainsKey(required) && !secret.InvalidBase64.Contains(required))
                {
                    context.Error($"data[{required}]", $"Required value: a {SecretData.TlsType} secret needs {SecretData.TlsCert} and {SecretData.TlsKey}");
                }
            }
        }

        if (secret.KeyPair() is { } pair)
        {
            var (certificates, certificateError) = PemCredentials.Certificates(pair.Cert);
            if (certificateError is not null)
            {
                context.Error(PathOf(context, pair.CertKey), certificateError);
            }

            if (PemCredentials.KeyError(pair.Key, certificates?[0]) is { } keyError)
            {
                context.Error(PathOf(context, pair.KeyKey), keyError + (keyError.StartsWith("is not the private key", StringComparison.Ordinal) ? $" in {pair.CertKey}" : string.Empty));
            }
        }
        else
        {
            HalfPair(context, secret, SecretData.GenericCert, SecretData.GenericKey);
            if (secret.Type != SecretData.TlsType)
            {
                HalfPair(context, secret, SecretData.TlsCert, SecretData.TlsKey);
            }
        }

        if (secret.CaCertificate() is { } ca && PemCredentials.Certificates(ca.Cert).Error is { } caError)
        {
            context.Error(PathOf(context, ca.Key), caError);
        }

        if (secret.CaCrl() is { } crl && PemCredentials.CrlError(crl.Crl) is { } crlError)
        {
            context.Error(PathOf(context, crl.Key), crlError);
        }
    }

    /// <summary>A certificate without its key (or a key without its certificate) is no credential.</summary>
    private static void HalfPair(ValidationContext context, SecretData secret, string certKey, string keyKey)
    {
        var hasCert = secret.Data.TryGetValue(certKey, out var cert) && cert.Length > 0;
        var hasKey = secret.Data.TryGetValue(keyKey, out var key) && key.Length > 0;
        if (hasCert != hasKey)
        {
            var (present, absent) = hasCert ? (certKey, keyKey) : (keyKey, certKey);
            context.Error(PathOf(context, present), $"has no {absent} beside it: a TLS credential needs both {certKey} and {keyKey}, non-empty");
        }
    }

    /// <summary>Where a key's value was written: <c>stringData</c> wins over <c>data</c>, as in Kubernetes.</summary>
    private static string PathOf(ValidationContext context, string key) =>
        context.Resource.Node["stringData"] is MapNode strings && strings.Entry(key) is not null ? $"stringData[{key}]" : $"data[{key}]";
}
