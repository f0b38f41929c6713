using System.Net.Security;
using System.Security.Authentication;
using Weft.Proxy.Xds;
using Weft.Xds.Envoy.Extensions.TransportSockets.Tls.V3;
using TlsProtocol = Weft.Xds.Envoy.Extensions.TransportSockets.Tls.V3.TlsParameters.Types.TlsProtocol;

namespace Weft.Proxy.Tls;

/// <summary>
/// Compiles a context's <c>tls_params</c> into what <see cref="SslStream"/> can be told: the versions (Envoy's defaults
/// when unset: 1.2 only for a client, 1.2 to 1.3 for a server) and the TLS 1.2 cipher suites by their OpenSSL names
/// (BoringSSL's <c>[A|B]</c> equal-preference groups are taken in order). As in Envoy, cipher suites do not restrict
/// TLS 1.3, whose suites stay all enabled. Versions below 1.2 are not offered: a minimum below 1.2 serves from 1.2, a
/// maximum below it is refused. What cannot be expressed (ECDH curves, signature algorithms, compliance policies) is
/// refused with the reason rather than ignored.
/// </summary>
internal static class TlsParametersCompiler
{
    /// <summary>OpenSSL (BoringSSL) names of the TLS 1.0–1.2 suites, as Envoy's <c>cipher_suites</c> takes them, and their IANA suites.</summary>
    private static readonly Dictionary<string, TlsCipherSuite> Suites = new(StringComparer.Ordinal)
    {
        ["ECDHE-ECDSA-AES128-GCM-SHA256"] = TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        ["ECDHE-RSA-AES128-GCM-SHA256"] = TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
        ["ECDHE-ECDSA-AES256-GCM-SHA384"] = TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
        ["ECDHE-RSA-AES256-GCM-SHA384"] = TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
        ["ECDHE-ECDSA-CHACHA20-POLY1305"] = TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
        ["ECDHE-RSA-CHACHA20-POLY1305"] = TlsCipherSuite.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
        ["ECDHE-ECDSA-AES128-SHA"] = TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA,
        ["ECDHE-RSA-AES128-SHA"] = TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA,
        ["ECDHE-ECDSA-AES256-SHA"] = TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA,
        ["ECDHE-RSA-AES256-SHA"] = TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA,
        ["ECDHE-PSK-AES128-CBC-SHA"] = TlsCipherSuite.TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA,
        ["ECDHE-PSK-AES256-CBC-SHA"] = TlsCipherSuite.TLS_ECDHE_PSK_WITH_AES_256_CBC_SHA,
        ["ECDHE-PSK-CHACHA20-POLY1305"] = TlsCipherSuite.TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256,
        ["AES128-GCM-SHA256"] = TlsCipherSuite.TLS_RSA_WITH_AES_128_GCM_SHA256,
        ["AES256-GCM-SHA384"] = TlsCipherSuite.TLS_RSA_WITH_AES_256_GCM_SHA384,
        ["AES128-SHA"] = TlsCipherSuite.TLS_RSA_WITH_AES_128_CBC_SHA,
        ["AES256-SHA"] = TlsCipherSuite.TLS_RSA_WITH_AES_256_CBC_SHA,
        ["PSK-AES128-CBC-SHA"] = TlsCipherSuite.TLS_PSK_WITH_AES_128_CBC_SHA,
        ["PSK-AES256-CBC-SHA"] = TlsCipherSuite.TLS_PSK_WITH_AES_256_CBC_SHA,
        ["DES-CBC3-SHA"] = TlsCipherSuite.TLS_RSA_WITH_3DES_EDE_CBC_SHA,
    };

    /// <summary>TLS 1.3's suites, which Envoy's <c>cipher_suites</c> leaves alone.</summary>
    private static readonly TlsCipherSuite[] Tls13Suites =
    [
        TlsCipherSuite.TLS_AES_128_GCM_SHA256, TlsCipherSuite.TLS_AES_256_GCM_SHA384, TlsCipherSuite.TLS_CHACHA20_POLY1305_SHA256,
    ];

    /// <summary>The versions to enable and the cipher suite policy (null: the platform's defaults).</summary>
    public static (SslProtocols Protocols, CipherSuitesPolicy? CipherSuites) Compile(TlsParameters? parameters, bool client)
    {
        var min = parameters?.TlsMinimumProtocolVersion ?? TlsProtocol.TlsAuto;
        var max = parameters?.TlsMaximumProtocolVersion ?? TlsProtocol.TlsAuto;
        if (max == TlsProtocol.TlsAuto)
        {
            max = client ? TlsProtocol.Tlsv12 : TlsProtocol.Tlsv13;
        }

        if (min == TlsProtocol.TlsAuto)
        {
            min = TlsProtocol.Tlsv12;
        }

        if (min > max)
        {
            throw new XdsRejectedException($"tls_params: tls_minimum_protocol_version {Name(min)} is above tls_maximum_protocol_version {Name(max)}");
        }

        if (max is TlsProtocol.Tlsv10 or TlsProtocol.Tlsv11)
        {
            throw new XdsRejectedException($"tls_params: tls_maximum_protocol_version {Name(max)} is below TLS 1.2, which this proxy does not speak");
        }

        var allow12 = min <= TlsProtocol.Tlsv12;
        var allow13 = max == TlsProtocol.Tlsv13;
        var protocols = (allow12 ? SslProtocols.Tls12 : SslProtocols.None) | (allow13 ? SslProtocols.Tls13 : SslProtocols.None);

        if (parameters is null)
        {
            return (protocols, null);
        }

        if (parameters.EcdhCurves.Count > 0)
        {
            throw new XdsRejectedException($"tls_params: ecdh_curves ({string.Join(", ", parameters.EcdhCurves)}) cannot be honoured: this proxy's TLS (.NET on OpenSSL) cannot restrict the key exchange groups it offers");
        }

        if (parameters.SignatureAlgorithms.Count > 0)
        {
            throw new XdsRejectedException($"tls_params: signature_algorithms ({string.Join(", ", parameters.SignatureAlgorithms)}) cannot be honoured: this proxy's TLS cannot restrict signature algorithms");
        }

        if (parameters.CompliancePolicies.Count > 0)
        {
            throw new XdsRejectedException("tls_params: compliance_policies (FIPS) cannot be honoured by this proxy");
        }

        return (protocols, parameters.CipherSuites.Count > 0 ? Policy(parameters.CipherSuites) : null);
    }

    private static CipherSuitesPolicy Policy(IEnumerable<string> entries)
    {
        if (OperatingSystem.IsWindows())
        {
            throw new XdsRejectedException("tls_params: cipher_suites cannot be honoured on Windows (SChannel takes no cipher suite policy)");
        }

        var suites = new List<TlsCipherSuite>();
        foreach (var entry in entries)
        {
            // An entry is a name or a bracketed group of names of equal preference: "[A|B]".
            var names = entry.StartsWith('[') && entry.EndsWith(']') ? entry[1..^1].Split('|') : [entry];
            foreach (var name in names)
            {
                if (!Suites.TryGetValue(name, out var suite))
                {
                    throw new XdsRejectedException($"tls_params: cipher_suites entry \"{name}\" is not a TLS 1.2 cipher suite this proxy knows (OpenSSL names such as ECDHE-RSA-AES128-GCM-SHA256)");
                }

                if (!suites.Contains(suite))
                {
                    suites.Add(suite);
                }
            }
        }

        suites.AddRange(Tls13Suites);
        return new CipherSuitesPolicy(suites);
    }

    private static string Name(TlsProtocol protocol) => protocol switch
    {
        TlsProtocol.Tlsv10 => "TLSv1_0",
        TlsProtocol.Tlsv11 => "TLSv1_1",
        TlsProtocol.Tlsv12 => "TLSv1_2",
        TlsProtocol.Tlsv13 => "TLSv1_3",
        _ => "TLS_AUTO",
    };
}
