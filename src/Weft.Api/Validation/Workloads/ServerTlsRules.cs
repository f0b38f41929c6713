using Weft.Api.Model.Networking;
using Weft.Api.Validation.Rules;

namespace Weft.Api.Validation.Workloads;

/// <summary>Istio's <c>validateTLSOptions</c> for server TLS settings (here: Sidecar ingress listeners).</summary>
internal static class ServerTlsRules
{
    private static readonly HashSet<string> ValidCipherSuites = new(StringComparer.Ordinal)
    {
        "ECDHE-ECDSA-AES128-GCM-SHA256",
        "ECDHE-RSA-AES128-GCM-SHA256",
        "ECDHE-ECDSA-AES256-GCM-SHA384",
        "ECDHE-RSA-AES256-GCM-SHA384",
        "ECDHE-ECDSA-CHACHA20-POLY1305",
        "ECDHE-RSA-CHACHA20-POLY1305",
        "ECDHE-ECDSA-AES128-SHA",
        "ECDHE-RSA-AES128-SHA",
        "ECDHE-ECDSA-AES256-SHA",
        "ECDHE-RSA-AES256-SHA",
        "AES128-GCM-SHA256",
        "AES256-GCM-SHA384",
        "AES128-SHA",
        "AES256-SHA",
        "DES-CBC3-SHA",
    };

    /// <summary>The TLS mode as Istio reads it: absent means PASSTHROUGH.</summary>
    public static string ModeOf(ServerTLSSettings tls) => EnumNames.Of(tls.Mode, EnumNames.ServerTlsMode);

    public static void Validate(ValidationContext context, ServerTLSSettings? tls, string path)
    {
        if (tls is null)
        {
            return;
        }

        var mode = ModeOf(tls);
        var cipherSuites = tls.CipherSuites ?? [];
        if (EnumNames.Of(tls.MinProtocolVersion, EnumNames.TlsProtocol) is "TLSV1_0" or "TLSV1_1" && cipherSuites.Count == 0)
        {
            context.Warning(path + ".minProtocolVersion", "TLS version below TLSV1_2 require setting compatible ciphers as by default they no longer include compatible ciphers.");
        }

        CheckCipherSuites(context, cipherSuites, path + ".cipherSuites");

        var serverCertificate = tls.ServerCertificate ?? string.Empty;
        var privateKey = tls.PrivateKey ?? string.Empty;
        var caCertificates = tls.CaCertificates ?? string.Empty;
        var credentialName = tls.CredentialName ?? string.Empty;
        var credentialNames = tls.CredentialNames ?? [];
        var tlsCertificates = tls.TlsCertificates ?? [];
        var caCrl = tls.CaCrl ?? string.Empty;

        if (mode == "ISTIO_MUTUAL")
        {
            if (serverCertificate.Length > 0)
            {
                context.Error(path + ".serverCertificate", "ISTIO_MUTUAL TLS cannot have associated server certificate");
            }

            if (privateKey.Length > 0)
            {
                context.Error(path + ".privateKey", "ISTIO_MUTUAL TLS cannot have associated private key");
            }

            if (caCertificates.Length > 0)
            {
                context.Error(path + ".caCertificates", "ISTIO_MUTUAL TLS cannot have associated CA bundle");
            }

            if (tlsCertificates.Count > 0)
            {
                context.Error(path + ".tlsCertificates", "ISTIO_MUTUAL TLS cannot have associated tlsCertificates");
            }

            if (credentialName.Length > 0)
            {
                context.Error(path + ".credentialName", "ISTIO_MUTUAL TLS cannot have associated credentialName");
            }

            if (credentialNames.Count > 0)
            {
                context.Error(path + ".credentialNames", "ISTIO_MUTUAL TLS cannot have associated credentialNames");
            }

            return;
        }

        if (mode is "PASSTHROUGH" or "AUTO_PASSTHROUGH"
            && (caCrl.Length > 0 || serverCertificate.Length > 0 || privateKey.Length > 0 || caCertificates.Length > 0
                || tlsCertificates.Count > 0 || credentialName.Length > 0 || credentialNames.Count > 0))
        {
            context.Warning(path + ".mode", $"{mode} mode does not use certificates, they will be ignored");
        }

        var certSources = (serverCertificate.Length > 0 && privateKey.Length > 0 ? 1 : 0) + (credentialName.Length > 0 ? 1 : 0)
            + (credentialNames.Count > 0 ? 1 : 0) + (tlsCertificates.Count > 0 ? 1 : 0);
        if (certSources > 1)
        {
            context.Error(path, "only one of credential_name, credential_names, server_certificate/private_key, tls_certificates should be specified");
        }

        var terminates = mode is "SIMPLE" or "MUTUAL" or "OPTIONAL_MUTUAL";
        if (terminates && (credentialName.Length > 0 || credentialNames.Count > 0))
        {
            // Credentials come from a secret; no files are needed.
            return;
        }

        if (terminates)
        {
            var prefix = mode == "SIMPLE" ? "SIMPLE TLS" : "MUTUAL TLS";
            if (mode != "SIMPLE" && caCertificates.Length == 0)
            {
                context.Error(path + ".caCertificates", $"{prefix} requires a client CA bundle");
            }

            if (tlsCertificates.Count > 2)
            {
                context.Warning(path + ".tlsCertificates", $"{prefix} can support up to 2 server certificates");
            }

            if (tlsCertificates.Count > 0)
            {
                for (var i = 0; i < tlsCertificates.Count; i++)
                {
                    RequireCertificate(context, tlsCertificates[i].ServerCertificate, tlsCertificates[i].PrivateKey, $"{path}.tlsCertificates[{i}]", prefix);
                }
            }
            else
            {
                RequireCertificate(context, serverCertificate, privateKey, path, prefix);
            }
        }

        if (caCrl.Length > 0)
        {
            if (credentialName.Length > 0)
            {
                context.Error(path + ".caCrl", "CRL is not supported with credentialName. CRL has to be specified in the credential");
            }

            if (mode == "SIMPLE")
            {
                context.Error(path + ".caCrl", "CRL is not supported with SIMPLE TLS");
            }
        }
    }

    private static void RequireCertificate(ValidationContext context, string? serverCertificate, string? privateKey, string path, string prefix)
    {
        if (string.IsNullOrEmpty(serverCertificate))
        {
            context.Error(path + ".serverCertificate", $"{prefix} requires a server certificate");
        }

        if (string.IsNullOrEmpty(privateKey))
        {
            context.Error(path + ".privateKey", $"{prefix} requires a private key");
        }
    }

    private static void CheckCipherSuites(ValidationContext context, IReadOnlyList<string> cipherSuites, string path)
    {
        if (cipherSuites.Count == 0)
        {
            return;
        }

        var invalid = new SortedSet<string>(StringComparer.Ordinal);
        var valid = new HashSet<string>(StringComparer.Ordinal);
        var duplicate = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var cs in cipherSuites)
        {
            if (!IsValidCipherSuite(cs))
            {
                invalid.Add(cs);
            }
            else if (!valid.Add(cs))
            {
                duplicate.Add(cs);
            }
        }

        if (invalid.Count > 0)
        {
            context.Warning(path, $"ignoring invalid cipher suites: [{string.Join(' ', invalid)}]");
        }

        if (duplicate.Count > 0)
        {
            context.Warning(path, $"ignoring duplicate cipher suites: [{string.Join(' ', duplicate)}]");
        }
    }

    /// <summary>Istio's <c>IsValidCipherSuite</c>: empty, ALL and OpenSSL operator expressions pass; names must be known.</summary>
    private static bool IsValidCipherSuite(string cs)
    {
        if (cs.Length == 0 || cs == "ALL")
        {
            return true;
        }

        return !char.IsLetterOrDigit(cs[0]) || ValidCipherSuites.Contains(cs);
    }
}
