using System.Security.Cryptography.X509Certificates;
using Weft.Proxy.Identity;
using Weft.Proxy.Snapshot.Matching;

namespace Weft.Proxy.Tls;

/// <summary>
/// One of Envoy's subject-alt-name matchers: a string matcher on SANs of one type (<c>match_typed_subject_alt_names</c>),
/// or on SANs of every type (the older <c>match_subject_alt_names</c>). A peer passes when any matcher matches any SAN.
/// </summary>
internal sealed record SanMatcher(SanKind Kind, StringMatch Match)
{
    public bool Matches(X509Certificate2 certificate) => Names(certificate).Any(Match.Matches);

    private IEnumerable<string> Names(X509Certificate2 certificate) => Kind switch
    {
        SanKind.Uri => SubjectAltNames.Uris(certificate),
        SanKind.Dns => SubjectAltNames.Dns(certificate),
        SanKind.Email => SubjectAltNames.Emails(certificate),
        SanKind.IpAddress => SubjectAltNames.IpAddresses(certificate),
        _ => SubjectAltNames.Uris(certificate).Concat(SubjectAltNames.Dns(certificate)).Concat(SubjectAltNames.Emails(certificate)).Concat(SubjectAltNames.IpAddresses(certificate)),
    };
}

internal enum SanKind
{
    Any,
    Uri,
    Dns,
    Email,
    IpAddress,
}
