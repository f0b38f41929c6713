using System.Text;
using Weft.Api.GoCompat;
using Weft.Api.Model.Networking;

namespace Weft.Api.Validation.Rules;

/// <summary>
/// Istio's checks of server-side TLS settings (<c>validateTLSOptions</c>), used by Gateway servers and Sidecar
/// ingress listeners: certificate sources per mode, one source only, CRL limits, cipher-suite warnings.
/// </summary>
internal static class ServerTlsRules
{
    private static readonly HashSet<string> CipherSuites = new(StringComparer.Ordinal)
    {
        "ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-RSA-AES128-GCM-SHA256", "ECDHE-ECDSA-AES256-GCM-SHA384",
        "ECDHE-RSA-AES256-GCM-SHA384", "ECDHE-ECDSA-CHACHA20-POLY1305", "ECDHE-RSA-CHACHA20-POLY1305",
        "ECDHE-ECDSA-AES128-SHA", "ECDHE-RSA-AES128-SHA", "ECDHE-ECDSA-AES256-SHA", "ECDHE-RSA-AES256-SHA",
        "AES128-GCM-SHA256", "AES256-GCM-SHA384", "AES128-SHA", "AES256-SHA", "DES-CBC3-SHA",
    };

    /// <summary>The server TLS modes, numbered as in Istio's API (PASSTHROUGH is the default).</summary>
    public enum Mode
    {
        Passthrough = 0,
        Simple = 1,
        Mutual = 2,
        AutoPassthrough = 3,
        IstioMutual = 4,
        OptionalMutual = 5,
    }

    public static Mode ModeOf(ServerTLSSettings? tls) => EnumNames.Of(tls?.Mode, EnumNames.ServerTlsMode) switch
    {
        "SIMPLE" => Mode.Simple,
        "MUTUAL" => Mode.Mutual,
        "AUTO_PASSTHROUGH" => Mode.AutoPassthrough,
        "ISTIO_MUTUAL" => Mode.IstioMutual,
        "OPTIONAL_MUTUAL" => Mode.OptionalMutual,
        _ => Mode.Passthrough,
    };

    public static string ModeName(Mode mode) => mode switch
    {
        Mode.Simple => "SIMPLE",
        Mode.Mutual => "MUTUAL",
        Mode.AutoPassthrough => "AUTO_PASSTHROUGH",
        Mode.IstioMutual => "ISTIO_MUTUAL",
        Mode.OptionalMutual => "OPTIONAL_MUTUAL",
        _ => "PASSTHROUGH",
    };

    private static bool Set(string? value) => !string.IsNullOrEmpty(value);

    public static void Validate(ValidationContext context, string path, ServerTLSSettings? tls)
    {
        if (tls is null)
        {
            return;
        }

        var ciphers = tls.CipherSuites ?? [];
        if (EnumNames.Of(tls.MinProtocolVersion, EnumNames.TlsProtocol) is "TLSV1_0" or "TLSV1_1" && ciphers.Count == 0)
        {
            context.Warning(path + ".minProtocolVersion", "TLS version below TLSV1_2 require setting compatible ciphers as by default they no longer include compatible ciphers.");
        }

        SortedSet<string>? invalid = null;
        SortedSet<string>? duplicate = null;
        var valid = new HashSet<string>(StringComparer.Ordinal);
        foreach (var cipher in ciphers)
        {
            if (!IsValidCipherSuite(cipher))
            {
                (invalid ??= new SortedSet<string>(StringComparer.Ordinal)).Add(cipher);
            }
            else if (!valid.Add(cipher))
            {
                (duplicate ??= new SortedSet<string>(StringComparer.Ordinal)).Add(cipher);
            }
        }

        if (invalid is not null)
        {
            context.Warning(path + ".cipherSuites", $"ignoring invalid cipher suites: {GoFmt.List(invalid)}");
        }

        if (duplicate is not null)
        {
            context.Warning(path + ".cipherSuites", $"ignoring duplicate cipher suites: {GoFmt.List(duplicate)}");
        }

        var mode = ModeOf(tls);
        var certificates = tls.TlsCertificates ?? [];
        var credentialNames = tls.CredentialNames ?? [];
        if (mode == Mode.IstioMutual)
        {
            // ISTIO_MUTUAL uses the workload's own certificates.
            if (Set(tls.ServerCertificate))
            {
                context.Error(path + ".serverCertificate", "ISTIO_MUTUAL TLS cannot have associated server certificate");
            }

            if (Set(tls.PrivateKey))
            {
                context.Error(path + ".privateKey", "ISTIO_MUTUAL TLS cannot have associated private key");
            }

            if (Set(tls.CaCertificates))
            {
                context.Error(path + ".caCertificates", "ISTIO_MUTUAL TLS cannot have associated CA bundle");
            }

            if (certificates.Count > 0)
            {
                context.Error(path + ".tlsCertificates", "ISTIO_MUTUAL TLS cannot have associated tlsCertificates");
            }

            if (Set(tls.CredentialName))
            {
                context.Error(path + ".credentialName", "ISTIO_MUTUAL TLS cannot have associated credentialName");
            }

            if (credentialNames.Count > 0)
            {
                context.Error(path + ".credentialNames", "ISTIO_MUTUAL TLS cannot have associated credentialNames");
            }

            return;
        }

        if (mode is Mode.Passthrough or Mode.AutoPassthrough
            && (Set(tls.CaCrl) || Set(tls.ServerCertificate) || Set(tls.PrivateKey) || Set(tls.CaCertificates)
                || certificates.Count > 0 || Set(tls.CredentialName) || credentialNames.Count > 0))
        {
            context.Warning(path + ".mode", $"{ModeName(mode)} mode does not use certificates, they will be ignored");
        }

        var sources = 0;
        if (Set(tls.ServerCertificate) && Set(tls.PrivateKey))
        {
            sources++;
        }

        if (Set(tls.CredentialName))
        {
            sources++;
        }

        if (credentialNames.Count > 0)
        {
            sources++;
        }

        if (certificates.Count > 0)
        {
            sources++;
        }

        if (sources > 1)
        {
            context.Error(path, "only one of credential_name, credential_names, server_certificate/private_key, tls_certificates should be specified");
        }

        var terminates = mode is Mode.Simple or Mode.Mutual or Mode.OptionalMutual;
        if (terminates && (Set(tls.CredentialName) || credentialNames.Count > 0))
        {
            // Credentials are fetched from the named secret; nothing else is required.
            return;
        }

        if (terminates)
        {
            var prefix = mode == Mode.Simple ? "SIMPLE TLS" : "MUTUAL TLS";
            if (mode != Mode.Simple && !Set(tls.CaCertificates))
            {
                context.Error(path + ".caCertificates", $"{prefix} requires a client CA bundle");
            }

            if (certificates.Count > 2)
            {
                context.Warning(path + ".tlsCertificates", $"{prefix} can support up to 2 server certificates");
            }

            if (certificates.Count > 0)
            {
                for (var i = 0; i < certificates.Count; i++)
                {
                    var p = $"{path}.tlsCertificates[{i}]";
                    RequireCertificate(context, p, prefix, certificates[i].ServerCertificate, certificates[i].PrivateKey);
                }
            }
            else
            {
                RequireCertificate(context, path, prefix, tls.ServerCertificate, tls.PrivateKey);
            }
        }

        if (Set(tls.CaCrl))
        {
            if (Set(tls.CredentialName))
            {
                context.Error(path + ".caCrl", "CRL is not supported with credentialName. CRL has to be specified in the credential");
            }

            if (mode == Mode.Simple)
            {
                context.Error(path + ".caCrl", "CRL is not supported with SIMPLE TLS");
            }
        }
    }

    private static void RequireCertificate(ValidationContext context, string path, string prefix, string? serverCertificate, string? privateKey)
    {
        if (!Set(serverCertificate))
        {
            context.Error(path + ".serverCertificate", $"{prefix} requires a server certificate");
        }

        if (!Set(privateKey))
        {
            context.Error(path + ".privateKey", $"{prefix} requires a private key");
        }
    }

    /// <summary>Istio's <c>IsValidCipherSuite</c>: a known BoringSSL name, "ALL", or an expression (not starting alphanumerically).</summary>
    public static bool IsValidCipherSuite(string cipher)
    {
        if (cipher.Length == 0 || cipher == "ALL")
        {
            return true;
        }

        // Go looks at the first byte of the UTF-8 text as a code point.
        var first = cipher[0] < 0x80 ? cipher[0] : (char)Encoding.UTF8.GetBytes(cipher[..(char.IsHighSurrogate(cipher[0]) && cipher.Length > 1 ? 2 : 1)])[0];
        if (!char.IsLetter(first) && !char.IsNumber(first))
        {
            return true;
        }

        return CipherSuites.Contains(cipher);
    }
}
