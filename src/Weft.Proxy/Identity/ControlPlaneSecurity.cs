using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Grpc.Core;
using Grpc.Net.Client;

namespace Weft.Proxy.Identity;

/// <summary>
/// How the proxy talks to the control plane's secure port (<c>--secure-xds-address</c>): TLS whose server certificate
/// must chain to the roots of <c>--root-cert</c> (not the system store) and name the address dialled, and, with
/// <c>--token-file</c>, the bearer token read from that file for each call (tokens may be replaced while running).
/// </summary>
internal sealed record ControlPlaneSecurity(X509Certificate2Collection Roots, string RootPem, string? TokenFile)
{
    /// <summary>Reads the root file; a <see cref="FormatException"/> naming the flag when it is missing or not PEM.</summary>
    public static ControlPlaneSecurity Load(string rootCertFile, string? tokenFile)
    {
        string pem;
        try
        {
            pem = File.ReadAllText(rootCertFile);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new FormatException($"--root-cert {rootCertFile}: cannot read it: {e.Message}", e);
        }

        var roots = new X509Certificate2Collection();
        try
        {
            roots.ImportFromPem(pem);
        }
        catch (System.Security.Cryptography.CryptographicException e)
        {
            throw new FormatException($"--root-cert {rootCertFile}: not PEM certificates: {e.Message}", e);
        }

        if (roots.Count == 0)
        {
            throw new FormatException($"--root-cert {rootCertFile}: holds no PEM certificate");
        }

        if (tokenFile is not null && !File.Exists(tokenFile))
        {
            throw new FormatException($"--token-file {tokenFile}: no such file");
        }

        return new ControlPlaneSecurity(roots, pem, tokenFile);
    }

    /// <summary>A gRPC channel to <paramref name="address"/> (<c>HOST:PORT</c>), over TLS when <paramref name="security"/> is given.</summary>
    /// <param name="clientCertificate">
    /// The certificate to present when the control plane asks for one (the workload's, once it has one): the control
    /// plane then knows the proxy by it, as istiod knows istio-agent's xDS connections. Read at each handshake.
    /// </param>
    public static GrpcChannel Channel(string address, ControlPlaneSecurity? security, Func<WorkloadCertificate?>? clientCertificate = null)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectTimeout = TimeSpan.FromSeconds(10),
            KeepAlivePingDelay = TimeSpan.FromSeconds(30),
            KeepAlivePingTimeout = TimeSpan.FromSeconds(10),
            EnableMultipleHttp2Connections = false,
            UseProxy = false,
        };
        if (security is not null)
        {
            var policy = new X509ChainPolicy
            {
                TrustMode = X509ChainTrustMode.CustomRootTrust,
                RevocationMode = X509RevocationMode.NoCheck,
            };
            policy.CustomTrustStore.AddRange(security.Roots);
            handler.SslOptions = new SslClientAuthenticationOptions
            {
                CertificateChainPolicy = policy,
                LocalCertificateSelectionCallback = clientCertificate is null ? null : (_, _, _, _, _) => clientCertificate()?.Leaf!,
            };
        }

        return GrpcChannel.ForAddress((security is null ? "http://" : "https://") + address, new GrpcChannelOptions
        {
            HttpHandler = handler,
            MaxReceiveMessageSize = null,
            DisposeHttpClient = true,
        });
    }

    /// <summary>The call's metadata: <c>authorization: Bearer TOKEN</c> when there is a token file; null otherwise.</summary>
    public Metadata? Headers()
    {
        if (TokenFile is null)
        {
            return null;
        }

        string token;
        try
        {
            token = File.ReadAllText(TokenFile).Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"cannot read the token file {TokenFile}: {e.Message}", e);
        }

        return new Metadata { { "authorization", "Bearer " + token } };
    }
}
