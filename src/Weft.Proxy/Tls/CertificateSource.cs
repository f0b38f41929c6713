using Weft.Proxy.Identity;

namespace Weft.Proxy.Tls;

/// <summary>
/// Where a TLS context's certificate comes from: an SDS secret resolved in the <see cref="SecretStore"/> at each handshake
/// (<c>default</c>, <c>file-cert:CERT~KEY</c>, certificate files named in the context, which become the latter, and
/// secrets the control plane sends over ADS), or a certificate given inline.
/// </summary>
internal sealed record CertificateSource(string? SecretName, WorkloadCertificate? Inline)
{
    /// <summary>Whether the secret comes from the control plane over ADS (it then waits for it, as Envoy's warming does).</summary>
    public bool FromAds { get; init; }

    /// <summary>The secret the control plane must send (with how long to wait for it), or null when the proxy has it itself.</summary>
    public AdsSecret? AdsSecret { get; init; }

    public WorkloadCertificate Resolve(SecretStore secrets) => Inline ?? secrets.Certificate(SecretName!);

    /// <summary>The workload's own certificate, which only a proxy with an identity has.</summary>
    public bool NeedsWorkloadIdentity => SecretName == Weft.Xds.ResourceNames.DefaultSecret;
}

/// <summary>
/// What peers are verified against: an SDS trust bundle resolved at each handshake (<c>ROOTCA</c>, <c>file-root:PATH</c>,
/// <c>file-root:system</c>), or roots given inline. <see cref="None"/> verifies nothing (a validation context without
/// a trusted CA, as Envoy).
/// </summary>
internal sealed record TrustSource(string? SecretName, TrustBundle? Inline)
{
    public static readonly TrustSource None = new(null, null);

    /// <summary>Whether the bundle comes from the control plane over ADS.</summary>
    public bool FromAds { get; init; }

    /// <summary>The secret the control plane must send (with how long to wait for it), or null when the proxy has it itself.</summary>
    public AdsSecret? AdsSecret { get; init; }

    public bool Verifies => SecretName is not null || Inline is not null;

    /// <summary>The bundle; null means the operating system's roots.</summary>
    public TrustBundle? Resolve(SecretStore secrets) => Inline ?? secrets.Trust(SecretName!);
}
