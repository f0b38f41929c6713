using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Weft.Proxy.Tests.Support;

/// <summary>
/// A TLS server on a real loopback port with its own self-signed certificate for one name: each connection completes
/// the handshake, reads one line and answers <c>NAME heard LINE</c>.
/// </summary>
internal sealed class TlsBackend : IAsyncDisposable
{
    private readonly Socket _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;

    private TlsBackend(string serverName, X509Certificate2? certificate = null)
    {
        ServerName = serverName;
        Certificate = certificate ?? CreateCertificate(serverName);
        _listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(16);
        _accepting = AcceptAsync();
    }

    public string ServerName { get; }

    public X509Certificate2 Certificate { get; }

    public int Port => ((IPEndPoint)_listener.LocalEndPoint!).Port;

    public static TlsBackend Start(string serverName) => new(serverName);

    /// <summary>A server presenting <paramref name="certificate"/> (with its key), which it then owns.</summary>
    public static TlsBackend Start(string serverName, X509Certificate2 certificate) => new(serverName, certificate);

    /// <summary>
    /// A TLS client through <paramref name="endpoint"/> asking for <paramref name="serverName"/>, trusting only the
    /// <paramref name="trusted"/> (self-signed) certificates: the line the server answered and the certificate it presented.
    /// </summary>
    public static async Task<(string Answer, X509Certificate2 Certificate)> AskAsync(EndPoint endpoint, string serverName, string line, params X509Certificate2[] trusted)
    {
        using var connection = await RawConnection.ConnectAsync(endpoint);
        return await AskAsync(connection, serverName, line, trusted);
    }

    /// <summary>The same over a connection already open (a CONNECT tunnel).</summary>
    public static async Task<(string Answer, X509Certificate2 Certificate)> AskAsync(RawConnection connection, string serverName, string line, params X509Certificate2[] trusted)
    {
        await using var ssl = new SslStream(new NetworkStream(connection.Socket, ownsSocket: false));
        X509Certificate2? presented = null;
        await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = serverName,
            RemoteCertificateValidationCallback = (_, certificate, _, _) =>
            {
                presented = certificate is null ? null : new X509Certificate2(certificate);
                return presented is not null && trusted.Any(t => t.Thumbprint == presented.Thumbprint);
            },
        }).WaitAsync(RawConnection.Wait);
        await ssl.WriteAsync(Encoding.ASCII.GetBytes(line + "\n"));
        using var reader = new StreamReader(ssl, Encoding.ASCII);
        var answer = await reader.ReadLineAsync().WaitAsync(RawConnection.Wait);
        return (answer ?? string.Empty, presented!);
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptAsync(_stop.Token);
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }

            _ = Task.Run(async () =>
            {
                try
                {
                    await using var ssl = new SslStream(new NetworkStream(socket, ownsSocket: true));
                    await ssl.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = Certificate });
                    using var reader = new StreamReader(ssl, Encoding.ASCII, leaveOpen: true);
                    var line = await reader.ReadLineAsync();
                    await ssl.WriteAsync(Encoding.ASCII.GetBytes($"{ServerName} heard {line}\n"));
                    await ssl.ShutdownAsync();
                }
                catch (Exception e) when (e is IOException or System.Security.Authentication.AuthenticationException)
                {
                }
            });
        }
    }

    private static X509Certificate2 CreateCertificate(string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName(name);
        request.CertificateExtensions.Add(san.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pfx), null);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Dispose();
        await _accepting;
        _stop.Dispose();
        Certificate.Dispose();
    }
}
