using Grpc.Core;
using Microsoft.Extensions.Logging;
using Weft.Control.Metrics;
using Weft.Control.Registry;
using Weft.Xds.Istio.Security.V1Alpha1;

namespace Weft.Control.Ca;

/// <summary>
/// Decides and signs certificate requests. In local mode a caller proves which workload it is by naming it: the request's
/// metadata must name a WorkloadEntry of the configuration in force (see <see cref="WorkloadClaim"/>), the CSR must ask for
/// exactly that workload's SPIFFE id (its namespace and service account), and with <c>--require-tokens</c> the caller
/// must also present the workload's bearer token (<see cref="WorkloadTokens"/>). Anything else is refused with a reason.
/// </summary>
internal sealed partial class CaServer(
    WorkloadCertificates certificates,
    Func<IServiceRegistry> registry,
    string trustDomain,
    WorkloadTokens? tokens,
    ControlMetrics metrics,
    ILogger<CaServer> log)
{
    public CaResult Handle(IstioCertificateRequest request, string? authorization, string peer)
    {
        metrics.CsrCount.Inc();
        var claim = WorkloadClaim.From(request.Metadata, out var claimError);
        if (claim is null)
        {
            return Unauthenticated(StatusCode.PermissionDenied, claimError!, peer);
        }

        if (tokens?.Check(claim, authorization) is { } tokenError)
        {
            return Unauthenticated(StatusCode.Unauthenticated, tokenError, peer);
        }

        var csr = SigningRequest.Parse(request.Csr, out var csrError);
        if (csr is null)
        {
            metrics.CsrParsingErrors.Inc();
            LogRefused(log, peer, csrError!);
            return CaResult.Refused(StatusCode.InvalidArgument, csrError!);
        }

        if (request.ValidityDuration < 0)
        {
            LogRefused(log, peer, "negative validity_duration");
            return CaResult.Refused(StatusCode.InvalidArgument, $"validity_duration {request.ValidityDuration} is negative; send 0 for the default lifetime");
        }

        var workload = registry().FindWorkload(claim.Name, claim.Namespace);
        if (workload is null)
        {
            return Unauthenticated(StatusCode.PermissionDenied, $"workload {claim} is not a WorkloadEntry of the configuration in force", peer);
        }

        var identity = SpiffeId.Of(trustDomain, workload.Namespace, workload.ServiceAccount);
        if (csr.RequestedUris.Count != 1 || csr.RequestedUris[0] != identity)
        {
            var asked = csr.RequestedUris.Count == 0 ? "no URI SAN" : string.Join(", ", csr.RequestedUris);
            return Unauthenticated(StatusCode.PermissionDenied, $"the CSR asks for {asked}, but workload {claim} may only have {identity} (its namespace and service account)", peer);
        }

        var lifetime = certificates.LifetimeFor(request.ValidityDuration);
        IReadOnlyList<string> chain;
        try
        {
            chain = certificates.Issue(csr, identity, lifetime);
        }
        catch (System.Security.Cryptography.CryptographicException e)
        {
            metrics.CsrSignErrors.WithLabels("sign").Inc();
            LogSignFailed(log, identity, e.Message);
            return CaResult.Refused(StatusCode.Internal, "signing failed: " + e.Message);
        }

        metrics.CertificatesIssued.Inc();
        LogIssued(log, identity, claim, peer, lifetime);
        return CaResult.Issued(chain);
    }

    private CaResult Unauthenticated(StatusCode status, string reason, string peer)
    {
        metrics.AuthenticationFailures.Inc();
        LogRefused(log, peer, reason);
        return CaResult.Refused(status, reason);
    }

    [LoggerMessage(EventId = 400, Level = LogLevel.Information, Message = "issued a certificate for {Identity} to workload {Workload} ({Peer}), valid {Lifetime}")]
    private static partial void LogIssued(ILogger log, string identity, WorkloadClaim workload, string peer, TimeSpan lifetime);

    [LoggerMessage(EventId = 401, Level = LogLevel.Warning, Message = "certificate request from {Peer} refused: {Reason}")]
    private static partial void LogRefused(ILogger log, string peer, string reason);

    [LoggerMessage(EventId = 402, Level = LogLevel.Error, Message = "signing a certificate for {Identity} failed: {Message}")]
    private static partial void LogSignFailed(ILogger log, string identity, string message);
}
