using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Weft.Control.Hosting;
using Weft.Control.Push;
using Node = Weft.Xds.Envoy.Config.Core.V3.Node;

namespace Weft.Control.Tests.Support;

/// <summary>
/// A real control plane on OS-chosen loopback ports, serving a temporary directory; with <c>secure</c>, also its CA and
/// TLS xDS port, keeping its state in a temporary directory of its own.
/// </summary>
internal sealed class RunningControlPlane : IAsyncDisposable
{
    private readonly TempConfigDirectory _directory;
    private readonly TempConfigDirectory? _state;

    private RunningControlPlane(TempConfigDirectory directory, ControlPlane plane, TempConfigDirectory? state)
    {
        _directory = directory;
        _state = state;
        Plane = plane;
    }

    public ControlPlane Plane { get; }

    public TempConfigDirectory Directory => _directory;

    public string XdsAddress => Plane.XdsEndpoint.ToString();

    public Uri HttpBase => new($"http://{Plane.HttpEndpoint}");

    public static async Task<RunningControlPlane> StartAsync(IReadOnlyDictionary<string, string> files, ILoggerFactory? loggers = null, bool secure = false, bool requireTokens = false)
    {
        var directory = new TempConfigDirectory();
        foreach (var (name, text) in files)
        {
            directory.Write(name, text);
        }

        var state = secure ? new TempConfigDirectory() : null;
        var plane = await ControlPlane.StartAsync(new ControlPlaneOptions
        {
            ConfigDirectory = directory.Path,
            XdsAddress = "127.0.0.1:0",
            HttpAddress = "127.0.0.1:0",
            SecureXdsAddress = "127.0.0.1:0",
            StateDirectory = state?.Path,
            RequireTokens = requireTokens,
        }, loggers ?? NullLoggerFactory.Instance);
        return new RunningControlPlane(directory, plane, state);
    }

    /// <summary>An ADS stream to the TLS port, trusting only the control plane's root, with <paramref name="token"/> as bearer token.</summary>
    public AdsClient SecureAds(Node node, bool delta = false, string? token = null, X509Certificate2? clientCertificate = null)
    {
        var roots = new X509Certificate2Collection();
        roots.ImportFromPemFile(System.IO.Path.Combine(_state!.Path, "ca", "root-cert.pem"));
        var policy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck };
        policy.CustomTrustStore.AddRange(roots);
        var handler = new SocketsHttpHandler { SslOptions = new SslClientAuthenticationOptions { CertificateChainPolicy = policy } };
        if (clientCertificate is not null)
        {
            handler.SslOptions.ClientCertificates = [clientCertificate];
        }

        var channel = GrpcChannel.ForAddress($"https://127.0.0.1:{Plane.SecureXdsEndpoint!.Port}", new GrpcChannelOptions { HttpHandler = handler });
        var headers = token is null ? null : new Metadata { { "authorization", "Bearer " + token } };
        return new AdsClient(channel, node, delta, headers);
    }

    /// <summary>A workload certificate for <c>spiffe://cluster.local/ns/NS/sa/SA</c> signed by this control plane's CA (or, with <paramref name="selfSigned"/>, by nobody).</summary>
    public X509Certificate2 WorkloadCertificate(string ns, string serviceAccount, bool selfSigned = false)
    {
        using var key = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(new X500DistinguishedName(string.Empty), key, System.Security.Cryptography.HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddUri(new Uri($"spiffe://cluster.local/ns/{ns}/sa/{serviceAccount}"));
        request.CertificateExtensions.Add(names.Build(critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new System.Security.Cryptography.Oid("1.3.6.1.5.5.7.3.2")], false));
        var notBefore = DateTimeOffset.UtcNow.AddMinutes(-1);
        using var signed = selfSigned
            ? request.CreateSelfSigned(notBefore, DateTimeOffset.UtcNow.AddHours(1))
            : Plane.Ca!.Sign(request, notBefore, DateTimeOffset.UtcNow.AddHours(1));
        using var withKey = selfSigned ? new X509Certificate2(signed) : signed.CopyWithPrivateKey(key);
        return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
    }

    /// <summary>Registers <paramref name="token"/> as the token of workload NAMESPACE/NAME (<c>--require-tokens</c>).</summary>
    public void RegisterToken(string ns, string name, string token)
    {
        var directory = System.IO.Path.Combine(_state!.Path, "tokens", ns);
        System.IO.Directory.CreateDirectory(directory);
        File.WriteAllText(System.IO.Path.Combine(directory, name), token);
    }

    /// <summary>
    /// Runs <paramref name="change"/> and waits (bounded) for the push it causes; returns that push context.
    /// </summary>
    public async Task<PushContext> ChangeAsync(Action<TempConfigDirectory> change, TimeSpan? timeout = null)
    {
        var pushed = new TaskCompletionSource<PushContext>(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnPushed(PushContext push) => pushed.TrySetResult(push);
        Plane.Controller.Pushed += OnPushed;
        try
        {
            change(_directory);
            return await pushed.Task.WaitAsync(timeout ?? TimeSpan.FromSeconds(10));
        }
        finally
        {
            Plane.Controller.Pushed -= OnPushed;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Plane.DisposeAsync();
        _directory.Dispose();
        _state?.Dispose();
    }
}
