using Grpc.Core;
using Microsoft.Extensions.Logging;
using Weft.Proxy.Xds;

namespace Weft.Proxy.Identity;

/// <summary>
/// Keeps the workload certificate fresh, as Istio's agent: it is requested at start, then again when
/// <c>ratio × lifetime</c> is left before it expires (ratio 0.5, moved by up to ±0.01 at random so that many proxies do
/// not renew in the same instant). The lifetime is counted from when it was asked for, since a CA may backdate
/// <c>notBefore</c>. A failed request is retried with capped exponential backoff while the current certificate keeps
/// serving; the new certificate replaces it only once it is in hand. All waiting is on the proxy's <see cref="TimeProvider"/>.
/// </summary>
internal sealed partial class CertificateRotator(CertificateClient client, SecretStore store, TimeProvider time, ILogger<CertificateRotator> log, Func<double>? random = null)
{
    /// <summary>Istio's SECRET_GRACE_PERIOD_RATIO.</summary>
    public const double GraceRatio = 0.5;

    /// <summary>Istio's SECRET_GRACE_PERIOD_RATIO_JITTER.</summary>
    public const double GraceJitter = 0.01;

    private readonly Func<double> _random = random ?? Random.Shared.NextDouble;
    private readonly ReconnectBackoff _backoff = new(TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(30), random);

    /// <summary>When the current certificate is to be replaced (for tests and logs).</summary>
    public DateTimeOffset? RenewAt { get; private set; }

    public async Task RunAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            TimeSpan delay;
            try
            {
                var (certificate, roots) = await client.IssueAsync(stop).ConfigureAwait(false);
                var previous = store.Workload;
                store.SetRoots(roots);
                store.SetWorkload(certificate);
                _backoff.Reset();
                RenewAt = RenewalTime(certificate, _random());
                delay = RenewAt.Value - time.GetUtcNow();
                if (previous is null)
                {
                    LogIssued(log, client.SpiffeId, certificate.Version, certificate.NotAfter, RenewAt.Value);
                }
                else
                {
                    LogRotated(log, client.SpiffeId, previous.Version, certificate.Version, certificate.NotAfter, RenewAt.Value);
                }
            }
            catch (Exception e) when (!stop.IsCancellationRequested && e is RpcException or IOException or HttpRequestException or FormatException or InvalidOperationException)
            {
                delay = _backoff.Next();
                var reason = e is RpcException rpc ? $"{rpc.StatusCode}: {rpc.Status.Detail}" : e.Message;
                var current = store.Workload;
                LogFailed(log, client.SpiffeId, reason, delay.TotalMilliseconds, current is null ? "none yet" : $"{current.Version} until {current.NotAfter:O}");
            }
            catch (Exception e) when (stop.IsCancellationRequested && e is RpcException or OperationCanceledException)
            {
                return;
            }

            try
            {
                await Task.Delay(delay > TimeSpan.Zero ? delay : TimeSpan.Zero, time, stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Expiry minus the grace period (ratio ± jitter, clamped to [0, 1]) of the lifetime the proxy observed.</summary>
    internal static DateTimeOffset RenewalTime(WorkloadCertificate certificate, double random)
    {
        var start = certificate.NotBefore > certificate.Received ? certificate.NotBefore : certificate.Received;
        var lifetime = certificate.NotAfter - start;
        var ratio = Math.Clamp(GraceRatio + ((random * 2) - 1) * GraceJitter, 0, 1);
        return certificate.NotAfter - (lifetime * ratio);
    }

    [LoggerMessage(EventId = 1100, Level = LogLevel.Information, Message = "workload certificate issued for {Identity}: serial {Serial}, expires {NotAfter:O}, renewal at {RenewAt:O}")]
    private static partial void LogIssued(ILogger log, string identity, string serial, DateTimeOffset notAfter, DateTimeOffset renewAt);

    [LoggerMessage(EventId = 1101, Level = LogLevel.Information, Message = "workload certificate rotated for {Identity}: serial {Old} replaced by {Serial}, expires {NotAfter:O}, renewal at {RenewAt:O}")]
    private static partial void LogRotated(ILogger log, string identity, string old, string serial, DateTimeOffset notAfter, DateTimeOffset renewAt);

    [LoggerMessage(EventId = 1102, Level = LogLevel.Warning, Message = "cannot get a workload certificate for {Identity} from the CA: {Reason}; retrying in {DelayMs} ms (current certificate: {Current})")]
    private static partial void LogFailed(ILogger log, string identity, string reason, double delayMs, string current);
}
