using System.Net;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Weft.Control.Ca;

/// <summary>
/// The control plane's own TLS certificate for the secure xDS port, signed by the CA: DNS names
/// <c>istiod.istio-system.svc</c> and <c>localhost</c>, IP 127.0.0.1 and the address it listens on. A new one is made when
/// half of the current one's lifetime has passed, so connections never meet an expired certificate.
/// </summary>
internal sealed class ServingCertificate
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(24);
    public static readonly IReadOnlyList<string> DnsNames = ["istiod.istio-system.svc", "localhost"];

    private readonly CertificateAuthority _ca;
    private readonly IReadOnlyList<IPAddress> _addresses;
    private readonly TimeProvider _time;
    private readonly object _renewing = new();
    private volatile Issued _current;

    public ServingCertificate(CertificateAuthority ca, IPAddress listenAddress, TimeProvider time)
    {
        _ca = ca;
        _time = time;
        IPAddress[] candidates = [IPAddress.Loopback, listenAddress];
        _addresses = candidates.Where(a => !a.Equals(IPAddress.Any) && !a.Equals(IPAddress.IPv6Any)).Distinct().ToArray();
        _current = Make();
    }

    /// <summary>The certificate (with its key) and the intermediates sent with it, renewed when due.</summary>
    public SslStreamCertificateContext Context
    {
        get
        {
            var current = _current;
            if (_time.GetUtcNow() < current.RenewAt)
            {
                return current.Context;
            }

            lock (_renewing)
            {
                if (_time.GetUtcNow() >= _current.RenewAt)
                {
                    _current = Make();
                }

                return _current.Context;
            }
        }
    }

    public X509Certificate2 Certificate => _current.Context.TargetCertificate;

    private Issued Make()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(new X500DistinguishedName(string.Empty), key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        foreach (var dns in DnsNames)
        {
            names.AddDnsName(dns);
        }

        foreach (var address in _addresses)
        {
            names.AddIpAddress(address);
        }

        request.CertificateExtensions.Add(names.Build(critical: true));
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: false, hasPathLengthConstraint: false, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        var now = SelfSignedRoot.Truncate(_time.GetUtcNow());
        using var signed = _ca.Sign(request, now - WorkloadCertificates.ClockSkew, now + Lifetime);
        var withKey = signed.CopyWithPrivateKey(key);
        var lifetime = new DateTimeOffset(withKey.NotAfter.ToUniversalTime(), TimeSpan.Zero) - now;
        var context = SslStreamCertificateContext.Create(withKey, [.. _ca.Intermediates], offline: true);
        return new Issued(context, now + (lifetime / 2));
    }

    private sealed record Issued(SslStreamCertificateContext Context, DateTimeOffset RenewAt);
}
