using System.Buffers;
using System.IO.Pipelines;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;

namespace Weft.Proxy.Http;

/// <summary>
/// Envoy's connection managers take HTTP/1.1 and cleartext HTTP/2 (h2c with prior knowledge) on the same port, telling
/// them apart by the connection preface. Kestrel serves both on one cleartext endpoint only through ALPN, which needs TLS
/// (dotnet/aspnetcore#56984), so this connection middleware looks at the first bytes without consuming them and, when
/// they are the HTTP/2 preface, marks the connection as having negotiated "h2". Kestrel then runs HTTP/2 on it; the
/// request scheme still comes from the client's <c>:scheme</c> (the server allows alternate schemes).
/// </summary>
internal static class Http2Sniffing
{
    private static readonly byte[] Preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8.ToArray();

    /// <summary>
    /// Waits for the first bytes and marks the connection as h2 when they are the preface.
    /// </summary>
    public static async ValueTask SniffAsync(ConnectionContext connection)
    {
        var input = connection.Transport.Input;
        while (true)
        {
            // No cancellation on ConnectionClosed: Kestrel signals it on the client's FIN too, and a client may send
            // its request and then finish sending; a closed connection completes the read anyway.
            var read = await input.ReadAsync().ConfigureAwait(false);
            var buffer = read.Buffer;
            var verdict = Classify(buffer);

            // Nothing consumed: the HTTP parser reads these bytes again.
            input.AdvanceTo(buffer.Start, verdict is null ? buffer.End : buffer.Start);
            if (verdict == true)
            {
                MarkH2(connection);
            }

            if (verdict is not null || read.IsCompleted || read.IsCanceled)
            {
                return;
            }
        }
    }

    /// <summary>Makes Kestrel serve the connection as HTTP/2, as if TLS had negotiated h2.</summary>
    public static void MarkH2(ConnectionContext connection)
    {
        connection.Features.Set<ITlsConnectionFeature>(Negotiated.H2);
        connection.Features.Set<ITlsApplicationProtocolFeature>(Negotiated.H2);
    }

    /// <summary>True for the HTTP/2 preface, false for anything else, null while the bytes so far could still be it.</summary>
    internal static bool? Classify(ReadOnlySequence<byte> buffer)
    {
        var length = (int)Math.Min(buffer.Length, Preface.Length);
        Span<byte> start = stackalloc byte[Preface.Length];
        buffer.Slice(0, length).CopyTo(start);
        if (!start[..length].SequenceEqual(Preface.AsSpan(0, length)))
        {
            return false;
        }

        return length == Preface.Length ? true : null;
    }

    /// <summary>What a TLS handshake that negotiated h2 would have left, minus the certificate.</summary>
    private sealed class Negotiated : ITlsConnectionFeature, ITlsApplicationProtocolFeature
    {
        public static readonly Negotiated H2 = new();

        public ReadOnlyMemory<byte> ApplicationProtocol => "h2"u8.ToArray();

        public System.Security.Cryptography.X509Certificates.X509Certificate2? ClientCertificate
        {
            get => null;
            set { }
        }

        public Task<System.Security.Cryptography.X509Certificates.X509Certificate2?> GetClientCertificateAsync(CancellationToken cancellationToken) =>
            Task.FromResult<System.Security.Cryptography.X509Certificates.X509Certificate2?>(null);
    }
}
