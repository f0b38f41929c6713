using System.Net.Security;
using System.Security.Authentication;
using Microsoft.Extensions.Logging;
using Weft.Proxy.Identity;

namespace Weft.Proxy.Tls;

/// <summary>
/// Upstream TLS for one new connection (HTTP pool or TCP proxy): the SNI, ALPN and versions of the context, the current
/// certificate of its secret (so connections made after a rotation present the new one while pooled ones carry on),
/// and the peer checked against the current trust bundle and the SAN matchers. A failure is an
/// <see cref="UpstreamTlsException"/> with the reason, counted for the cluster and logged.
/// </summary>
internal sealed partial class TlsOrigination(SecretStore secrets, TlsCounters counters, ILogger<TlsOrigination> log)
{
    public SecretStore Secrets => secrets;

    public TlsCounters Counters => counters;

    /// <summary>TLS over <paramref name="inner"/> (owned: disposed on failure).</summary>
    /// <param name="requestHost">The request's host, for <c>auto_sni</c>; null when there is none (TCP).</param>
    public async ValueTask<SslStream> HandshakeAsync(Stream inner, TlsSettings settings, string cluster, string authority, string? requestHost, CancellationToken cancel)
    {
        SslStream? ssl = null;
        PeerVerification? verification = null;
        try
        {
            var certificate = settings.Certificate?.Resolve(secrets);
            var bundle = settings.Trust.Verifies ? settings.Trust.Resolve(secrets) : null;
            var sni = settings.AutoSni && !string.IsNullOrEmpty(requestHost) ? StripPort(requestHost) : settings.Sni;
            verification = new PeerVerification(settings, bundle, settings.AutoSanValidation && sni.Length > 0 ? sni : null);
            ssl = new SslStream(inner, leaveInnerStreamOpen: false);
            var options = new SslClientAuthenticationOptions
            {
                TargetHost = sni,
                ClientCertificateContext = certificate?.Context,
                EnabledSslProtocols = settings.Protocols,
                CipherSuitesPolicy = settings.CipherSuites,
                CertificateChainPolicy = verification.Policy(),
                RemoteCertificateValidationCallback = (s, c, ch, e) => verification.Validate(s, c, ch, e, required: true),
                CertificateRevocationCheckMode = System.Security.Cryptography.X509Certificates.X509RevocationMode.NoCheck,
            };
            if (settings.Alpn.Count > 0)
            {
                options.ApplicationProtocols = [.. settings.Alpn];
            }

            await ssl.AuthenticateAsClientAsync(options, cancel).ConfigureAwait(false);
            counters.Upstream(cluster, "handshake");
            return ssl;
        }
        catch (Exception e) when (e is AuthenticationException or IOException or SecretUnavailableException)
        {
            var reason = verification?.Failure ?? e.Message;
            if (verification?.Failure is not null)
            {
                counters.Upstream(cluster, "fail_verify");
            }

            counters.Upstream(cluster, "connection_error");
            LogFailed(log, authority, cluster, reason);
            if (ssl is not null)
            {
                await ssl.DisposeAsync().ConfigureAwait(false);
            }
            else
            {
                await inner.DisposeAsync().ConfigureAwait(false);
            }

            throw new UpstreamTlsException($"TLS error: {reason}", e);
        }
        catch
        {
            if (ssl is not null)
            {
                await ssl.DisposeAsync().ConfigureAwait(false);
            }
            else
            {
                await inner.DisposeAsync().ConfigureAwait(false);
            }

            throw;
        }
    }

    private static string StripPort(string host)
    {
        if (host.StartsWith('['))
        {
            var end = host.IndexOf(']', StringComparison.Ordinal);
            return end > 0 ? host[1..end] : host;
        }

        var colon = host.LastIndexOf(':');
        return colon > 0 && host.IndexOf(':', StringComparison.Ordinal) == colon ? host[..colon] : host;
    }

    [LoggerMessage(EventId = 1200, Level = LogLevel.Warning, Message = "upstream TLS to {Authority} (cluster {Cluster}) failed: {Reason}")]
    private static partial void LogFailed(ILogger log, string authority, string cluster, string reason);
}

/// <summary>An upstream TLS handshake failed; to the router an upstream connect failure (503 UF).</summary>
internal sealed class UpstreamTlsException(string message, Exception inner) : IOException(message, inner);
