using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Weft.Proxy.Identity;
using Weft.Proxy.Snapshot.Matching;
using Weft.Proxy.Xds;
using Weft.Xds.Envoy.Config.Core.V3;
using Weft.Xds.Envoy.Extensions.TransportSockets.Tls.V3;

namespace Weft.Proxy.Tls;

/// <summary>
/// Compiles Envoy's UpstreamTlsContext and DownstreamTlsContext. Certificates come from SDS secrets (served by the
/// proxy's <see cref="SecretStore"/>: <c>default</c>, <c>ROOTCA</c>, <c>file-cert:</c>, <c>file-root:</c>, and those the
/// control plane sends over ADS, such as <c>kubernetes://NAME</c>), from files
/// (read at handshake time, again when they change) or inline PEM. Peers are verified against the validation context's
/// trusted CA with its SAN matchers and revocation lists (<c>crl</c>, <see cref="RevocationList"/>); a context without a
/// trusted CA verifies nothing, as Envoy. Versions and cipher
/// suites follow <c>tls_params</c> (<see cref="TlsParametersCompiler"/>). What cannot be honoured is refused with the reason.
/// </summary>
internal static class TlsContextCompiler
{
    public static TlsSettings Upstream(UpstreamTlsContext context, bool autoSni, bool autoSanValidation)
    {
        var settings = Common(context.CommonTlsContext ?? new CommonTlsContext(), client: true);
        return settings with
        {
            Sni = context.Sni,
            AutoSni = autoSni && context.Sni.Length == 0,
            AutoSanValidation = autoSanValidation || context.AutoSniSanValidation,
        };
    }

    public static TlsSettings Downstream(DownstreamTlsContext context)
    {
        var settings = Common(context.CommonTlsContext ?? new CommonTlsContext(), client: false);
        if (settings.Certificate is null)
        {
            throw new XdsRejectedException("a DownstreamTlsContext needs a server certificate (tls_certificates or tls_certificate_sds_secret_configs)");
        }

        return settings with { RequireClientCertificate = context.RequireClientCertificate ?? false };
    }

    private static TlsSettings Common(CommonTlsContext common, bool client)
    {
        if (common.CustomHandshaker is not null || common.TlsCertificateProviderInstance is not null || common.TlsCertificateCertificateProviderInstance is not null)
        {
            throw new XdsRejectedException("certificate providers and custom handshakers are not supported; use tls_certificates or SDS secrets");
        }

        CertificateSource? certificate = null;
        if (common.TlsCertificates.Count > 0)
        {
            certificate = Inline(common.TlsCertificates[0]);
        }
        else if (common.TlsCertificateSdsSecretConfigs.Count > 0)
        {
            var sds = common.TlsCertificateSdsSecretConfigs[0];
            certificate = new CertificateSource(SecretName(sds), null) { FromAds = FromAds(sds), AdsSecret = Ads(sds) };
        }

        CertificateValidationContext? validation = null;
        var trust = TrustSource.None;
        switch (common.ValidationContextTypeCase)
        {
            case CommonTlsContext.ValidationContextTypeOneofCase.ValidationContext:
                validation = common.ValidationContext;
                trust = validation.TrustedCa is { } ca ? Trust(ca) : TrustSource.None;
                break;
            case CommonTlsContext.ValidationContextTypeOneofCase.ValidationContextSdsSecretConfig:
                trust = new TrustSource(SecretName(common.ValidationContextSdsSecretConfig), null) { FromAds = FromAds(common.ValidationContextSdsSecretConfig), AdsSecret = Ads(common.ValidationContextSdsSecretConfig) };
                break;
            case CommonTlsContext.ValidationContextTypeOneofCase.CombinedValidationContext:
                var combined = common.CombinedValidationContext;
                validation = combined.DefaultValidationContext;
                if (combined.ValidationContextSdsSecretConfig is not { } validationSds)
                {
                    throw new XdsRejectedException("combined_validation_context needs validation_context_sds_secret_config");
                }

                trust = new TrustSource(SecretName(validationSds), null) { FromAds = FromAds(validationSds), AdsSecret = Ads(validationSds) };
                break;
        }

        var sans = new List<SanMatcher>();
        if (validation is not null)
        {
            if (validation.CustomValidatorConfig is not null)
            {
                throw new XdsRejectedException($"custom_validator_config {validation.CustomValidatorConfig.Name} is not supported");
            }

            if (validation.VerifyCertificateHash.Count > 0 || validation.VerifyCertificateSpki.Count > 0)
            {
                throw new XdsRejectedException("verify_certificate_hash and verify_certificate_spki are not supported");
            }

            if (validation.TrustChainVerification == CertificateValidationContext.Types.TrustChainVerification.AcceptUntrusted)
            {
                trust = TrustSource.None;
            }

            foreach (var typed in validation.MatchTypedSubjectAltNames)
            {
                var kind = typed.SanType switch
                {
                    SubjectAltNameMatcher.Types.SanType.Uri => SanKind.Uri,
                    SubjectAltNameMatcher.Types.SanType.Dns => SanKind.Dns,
                    SubjectAltNameMatcher.Types.SanType.Email => SanKind.Email,
                    SubjectAltNameMatcher.Types.SanType.IpAddress => SanKind.IpAddress,
                    var other => throw new XdsRejectedException($"match_typed_subject_alt_names san_type {other} is not supported (DNS, URI, EMAIL, IP_ADDRESS)"),
                };
                sans.Add(new SanMatcher(kind, StringMatch.Compile(typed.Matcher ?? throw new XdsRejectedException("a SAN matcher has no matcher"))));
            }

            foreach (var untyped in validation.MatchSubjectAltNames)
            {
                sans.Add(new SanMatcher(SanKind.Any, StringMatch.Compile(untyped)));
            }
        }

        var (protocols, cipherSuites) = TlsParametersCompiler.Compile(common.TlsParams, client);
        return new TlsSettings
        {
            Crl = validation?.Crl is { } crl ? Revocations(crl, validation.OnlyVerifyLeafCertCrl, inlineOnly: false) : null,
            Certificate = certificate,
            Trust = trust,
            SubjectAltNames = sans,
            Alpn = common.AlpnProtocols.Select(p => new SslApplicationProtocol(p)).ToArray(),
            Protocols = protocols,
            CipherSuites = cipherSuites,
        };
    }

    /// <summary>A validation context's <c>crl</c>: PEM or DER, from a file (read now) or inline; refused with the reason when it does not parse.</summary>
    internal static RevocationList Revocations(DataSource source, bool leafOnly, bool inlineOnly)
    {
        byte[] data = source.SpecifierCase switch
        {
            DataSource.SpecifierOneofCase.InlineBytes => source.InlineBytes.ToByteArray(),
            DataSource.SpecifierOneofCase.InlineString => System.Text.Encoding.UTF8.GetBytes(source.InlineString),
            DataSource.SpecifierOneofCase.Filename when !inlineOnly => ReadBytes(source.Filename),
            var other => throw new XdsRejectedException($"crl from {other} is not supported{(inlineOnly ? " in an SDS secret (inline_bytes, inline_string)" : " (filename, inline_bytes, inline_string)")}"),
        };

        try
        {
            return RevocationList.Parse(data, leafOnly);
        }
        catch (FormatException e)
        {
            throw new XdsRejectedException($"crl{(source.SpecifierCase == DataSource.SpecifierOneofCase.Filename ? " " + source.Filename : string.Empty)} {e.Message}");
        }
    }

    private static byte[] ReadBytes(string path)
    {
        try
        {
            return File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new XdsRejectedException($"crl {path} cannot be read: {e.Message}");
        }
    }

    private static string SecretName(SdsSecretConfig config) =>
        config.Name.Length > 0 ? config.Name : throw new XdsRejectedException("an SDS secret config has no name");

    /// <summary>Whether the secret comes over the ADS stream (<c>sds_config: {ads: {}}</c>), as credentialName secrets do.</summary>
    /// <summary>The secret an SDS config makes the proxy wait for from the control plane: one over ADS the proxy cannot serve itself.</summary>
    private static AdsSecret? Ads(SdsSecretConfig config) =>
        FromAds(config) && SecretStore.CannotServe(SecretName(config)) is not null ? new AdsSecret(config.Name, FetchTimeout(config)) : null;

    private static bool FromAds(SdsSecretConfig config) =>
        config.SdsConfig?.ConfigSourceSpecifierCase == ConfigSource.ConfigSourceSpecifierOneofCase.Ads;

    /// <summary>Envoy's default wait for a resource during warming when the config source sets none.</summary>
    public static readonly TimeSpan DefaultInitialFetchTimeout = TimeSpan.FromSeconds(15);

    private static TimeSpan FetchTimeout(SdsSecretConfig config) =>
        config.SdsConfig?.InitialFetchTimeout is { } timeout ? timeout.ToTimeSpan() : DefaultInitialFetchTimeout;

    /// <summary>A certificate and key from files (resolved at handshake time) or inline PEM (parsed now).</summary>
    private static CertificateSource Inline(TlsCertificate certificate)
    {
        if (certificate.PrivateKeyProvider is not null || certificate.Pkcs12 is not null)
        {
            throw new XdsRejectedException("tls_certificates with a private key provider or PKCS#12 are not supported; give certificate_chain and private_key");
        }

        var chain = certificate.CertificateChain ?? throw new XdsRejectedException("a tls_certificate has no certificate_chain");
        var key = certificate.PrivateKey ?? throw new XdsRejectedException("a tls_certificate has no private_key");
        if (chain.SpecifierCase == DataSource.SpecifierOneofCase.Filename && key.SpecifierCase == DataSource.SpecifierOneofCase.Filename)
        {
            return new CertificateSource(Weft.Xds.ResourceNames.FileCertificateSecret(chain.Filename, key.Filename), null);
        }

        var chainPem = Text(chain, "certificate_chain");
        var keyPem = Text(key, "private_key");
        try
        {
            return new CertificateSource(null, WorkloadCertificate.FromPem(chainPem, keyPem, DateTimeOffset.UnixEpoch));
        }
        catch (CryptographicException e)
        {
            throw new XdsRejectedException($"the inline tls_certificate does not load: {e.Message}");
        }
    }

    private static TrustSource Trust(DataSource ca)
    {
        if (ca.SpecifierCase == DataSource.SpecifierOneofCase.Filename)
        {
            return new TrustSource(Weft.Xds.ResourceNames.FileRootSecret(ca.Filename), null);
        }

        try
        {
            return new TrustSource(null, TrustBundle.FromPem(Text(ca, "trusted_ca"), "trusted_ca", DateTimeOffset.UnixEpoch));
        }
        catch (FormatException e)
        {
            throw new XdsRejectedException(e.Message);
        }
    }

    private static string Text(DataSource source, string field) => source.SpecifierCase switch
    {
        DataSource.SpecifierOneofCase.Filename => ReadFile(source.Filename, field),
        DataSource.SpecifierOneofCase.InlineString => source.InlineString,
        DataSource.SpecifierOneofCase.InlineBytes => source.InlineBytes.ToStringUtf8(),
        var other => throw new XdsRejectedException($"{field} from {other} is not supported (filename, inline_string, inline_bytes)"),
    };

    private static string ReadFile(string path, string field)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new XdsRejectedException($"{field} file {path} cannot be read: {e.Message}");
        }
    }
}
