using System.IO.Pipelines;
using System.Net.Security;
using System.Security.Authentication;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;
using Microsoft.Extensions.Logging;
using Weft.Proxy.Authorization;
using Weft.Proxy.Identity;

namespace Weft.Proxy.Tls;

/// <summary>
/// Terminates TLS for a filter chain with a DownstreamTlsContext, in the connection middleware before any network filter:
/// the current certificate of its secret, a client certificate asked for when the context validates peers and required
/// when it says so (checked against the current trust bundle and the SAN matchers), ALPN chosen from the client's offer
/// in the context's order (none when nothing is shared, as Envoy, rather than failing), TLS 1.2-1.3. The connection's
/// pipes then carry the decrypted bytes; the peer's identity goes on the connection (<see cref="PeerIdentity"/>) for
/// RBAC and telemetry, and Kestrel sees the TLS features (h2 when ALPN chose <c>h2</c> or Istio's <c>istio-h2</c>).
/// A failed handshake closes the connection, counted per listener.
/// </summary>
internal sealed partial class TlsTermination(SecretStore secrets, TlsCounters counters, TimeProvider time, ILogger<TlsTermination> log)
{
    /// <summary>How long a client has to finish the handshake (Envoy's transport socket connect timeout is 15 s).</summary>
    public static readonly TimeSpan HandshakeTimeout = TimeSpan.FromSeconds(15);

    /// <summary>The TLS stream now under the connection's pipes (dispose it when the connection ends), or null when the handshake failed.</summary>
    public async Task<SslStream?> TerminateAsync(ConnectionContext connection, TlsSettings settings, string listener, IReadOnlyList<string> offeredAlpn)
    {
        PeerVerification? verification = null;
        SslStream? ssl = null;
        var remote = connection.RemoteEndPoint?.ToString() ?? "-";
        try
        {
            var certificate = settings.Certificate!.Resolve(secrets);
            var bundle = settings.Trust.Verifies ? settings.Trust.Resolve(secrets) : null;
            verification = new PeerVerification(settings, bundle, null);
            var alpn = settings.Alpn.Where(p => offeredAlpn.Contains(p.ToString(), StringComparer.Ordinal)).ToList();
            var options = new SslServerAuthenticationOptions
            {
                ServerCertificateContext = certificate.Context,
                ClientCertificateRequired = settings.Trust.Verifies || settings.RequireClientCertificate,
                EnabledSslProtocols = settings.Protocols,
                CipherSuitesPolicy = settings.CipherSuites,
                CertificateChainPolicy = verification.Policy(),
                RemoteCertificateValidationCallback = (s, c, ch, e) => verification.Validate(s, c, ch, e, settings.RequireClientCertificate),
                CertificateRevocationCheckMode = System.Security.Cryptography.X509Certificates.X509RevocationMode.NoCheck,
                ApplicationProtocols = alpn.Count > 0 ? alpn : null,
            };
            ssl = new SslStream(new DuplexPipeStream(connection.Transport), leaveInnerStreamOpen: false);
            using var deadline = new CancellationTokenSource(HandshakeTimeout, time);
            await ssl.AuthenticateAsServerAsync(options, deadline.Token).ConfigureAwait(false);

            var peer = ssl.RemoteCertificate is { } presented
                ? presented as System.Security.Cryptography.X509Certificates.X509Certificate2 ?? new System.Security.Cryptography.X509Certificates.X509Certificate2(presented)
                : null;
            var negotiated = ssl.NegotiatedApplicationProtocol == default ? null : ssl.NegotiatedApplicationProtocol.ToString();
            var local = certificate.UriSans is [var uri, ..] ? uri : string.Empty;
            var stream = ssl;
            connection.Features.Set(new DownstreamTlsFeature(peer, local, negotiated) { ShutdownSend = () => new ValueTask(stream.ShutdownAsync()), Version = VersionName(ssl.SslProtocol) });
            if (peer is not null)
            {
                connection.Features.Set(new PeerIdentity(SubjectAltNames.Uris(peer), SubjectAltNames.Dns(peer), peer.Subject));
            }

            var negotiatedFeature = new Negotiated(peer, negotiated is "h2" or "istio-h2" ? "h2"u8.ToArray() : default);
            connection.Features.Set<ITlsConnectionFeature>(negotiatedFeature);
            connection.Features.Set<ITlsApplicationProtocolFeature>(negotiatedFeature);

            // Writes must go through TLS now, never straight to the socket (the TCP path writes to it when it can).
            connection.Features.Set<IConnectionSocketFeature>(null);
            connection.Transport = new DuplexPipe(
                PipeReader.Create(ssl, new StreamPipeReaderOptions(leaveOpen: true)),
                PipeWriter.Create(ssl, new StreamPipeWriterOptions(leaveOpen: true)));
            counters.Downstream(listener, "handshake");
            return ssl;
        }
        catch (Exception e) when (e is AuthenticationException or IOException or SecretUnavailableException or OperationCanceledException)
        {
            counters.Downstream(listener, "connection_error");
            if (verification?.Failure is not null)
            {
                counters.Downstream(listener, "fail_verify");
            }

            LogFailed(log, listener, remote, verification?.Failure ?? e.Message);
            if (ssl is not null)
            {
                await ssl.DisposeAsync().ConfigureAwait(false);
            }

            return null;
        }
    }

    [LoggerMessage(EventId = 1210, Level = LogLevel.Debug, Message = "listener {Listener}: TLS handshake with {Remote} failed: {Reason}; connection closed")]
    private static partial void LogFailed(ILogger log, string listener, string remote, string reason);

    /// <summary>A TLS version as Envoy's <c>connection.tls_version</c> and <c>%DOWNSTREAM_TLS_VERSION%</c> print it.</summary>
    internal static string VersionName(SslProtocols protocol) => protocol switch
    {
        SslProtocols.Tls13 => "TLSv1.3",
        SslProtocols.Tls12 => "TLSv1.2",
        _ => protocol.ToString(),
    };

    private sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }

    /// <summary>What Kestrel reads of the handshake: the client certificate and the protocol it chose ("h2" makes it HTTP/2).</summary>
    private sealed class Negotiated(System.Security.Cryptography.X509Certificates.X509Certificate2? peer, ReadOnlyMemory<byte> protocol) : ITlsConnectionFeature, ITlsApplicationProtocolFeature
    {
        public ReadOnlyMemory<byte> ApplicationProtocol => protocol;

        public System.Security.Cryptography.X509Certificates.X509Certificate2? ClientCertificate
        {
            get => peer;
            set { }
        }

        public Task<System.Security.Cryptography.X509Certificates.X509Certificate2?> GetClientCertificateAsync(CancellationToken cancellationToken) => Task.FromResult(peer);
    }
}
