using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Weft.Control.Hosting;
using Weft.Control.Tests.Support;
using Weft.Xds.Istio.Security.V1Alpha1;

namespace Weft.Control.Tests.Ca;

/// <summary>
/// A real control plane with a CA, on OS-chosen loopback ports, serving <see cref="Workloads"/> from a temporary directory
/// and keeping its CA in a temporary state directory (kept between starts when a test passes the same one).
/// </summary>
internal sealed class CaPlane : IAsyncDisposable
{
    /// <summary>Two workloads in namespace bookinfo: reviews-v1 (service account reviews) and ratings-v1 (ratings).</summary>
    public const string Workloads = """
        apiVersion: networking.istio.io/v1
        kind: WorkloadEntry
        metadata: {name: reviews-v1, namespace: bookinfo}
        spec: {address: 127.0.0.10, labels: {app: reviews}, serviceAccount: reviews}
        ---
        apiVersion: networking.istio.io/v1
        kind: WorkloadEntry
        metadata: {name: ratings-v1, namespace: bookinfo}
        spec: {address: 127.0.0.11, labels: {app: ratings}, serviceAccount: ratings}
        """;

    public const string ReviewsId = "spiffe://cluster.local/ns/bookinfo/sa/reviews";
    public const string RatingsId = "spiffe://cluster.local/ns/bookinfo/sa/ratings";

    private readonly TempConfigDirectory _config;
    private readonly List<GrpcChannel> _channels = [];

    private CaPlane(TempConfigDirectory config, ControlPlane plane, string stateDirectory)
    {
        _config = config;
        Plane = plane;
        StateDirectory = stateDirectory;
    }

    public ControlPlane Plane { get; }

    public string StateDirectory { get; }

    /// <summary>A fake clock at the current second (X.509 keeps whole seconds; TLS peers check the real clock).</summary>
    public static FakeTimeProvider Clock()
    {
        var now = DateTimeOffset.UtcNow;
        return new FakeTimeProvider(new DateTimeOffset(now.Ticks - (now.Ticks % TimeSpan.TicksPerSecond), TimeSpan.Zero));
    }

    public static async Task<CaPlane> StartAsync(string stateDirectory, TimeProvider? time = null, Func<ControlPlaneOptions, ControlPlaneOptions>? options = null)
    {
        var config = new TempConfigDirectory();
        config.Write("workloads.yaml", Workloads);
        var settings = new ControlPlaneOptions
        {
            ConfigDirectory = config.Path,
            XdsAddress = "127.0.0.1:0",
            HttpAddress = "127.0.0.1:0",
            SecureXdsAddress = "127.0.0.1:0",
            StateDirectory = stateDirectory,
            Time = time ?? TimeProvider.System,
        };
        try
        {
            return new CaPlane(config, await ControlPlane.StartAsync(options is null ? settings : options(settings), NullLoggerFactory.Instance), stateDirectory);
        }
        catch
        {
            config.Dispose();
            throw;
        }
    }

    /// <summary>A gRPC channel to the secure port that trusts only the roots in <paramref name="rootFile"/> and checks the host name.</summary>
    public GrpcChannel SecureChannel(string rootFile, string host = "127.0.0.1")
    {
        var policy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck };
        policy.CustomTrustStore.AddRange(LoadPem(rootFile));
        var handler = new SocketsHttpHandler { SslOptions = new SslClientAuthenticationOptions { CertificateChainPolicy = policy } };
        var channel = GrpcChannel.ForAddress($"https://{host}:{Plane.SecureXdsEndpoint!.Port}", new GrpcChannelOptions { HttpHandler = handler });
        _channels.Add(channel);
        return channel;
    }

    public IstioCertificateService.IstioCertificateServiceClient SecureCa() => new(SecureChannel(Path.Combine(StateDirectory, "ca", "root-cert.pem")));

    public IstioCertificateService.IstioCertificateServiceClient PlaintextCa()
    {
        var channel = GrpcChannel.ForAddress($"http://{Plane.XdsEndpoint}");
        _channels.Add(channel);
        return new IstioCertificateService.IstioCertificateServiceClient(channel);
    }

    /// <summary>A request naming <paramref name="workload"/> in namespace bookinfo, for <paramref name="csr"/>.</summary>
    public static IstioCertificateRequest Request(string csr, string workload = "reviews-v1", string ns = "bookinfo", long validitySeconds = 0)
    {
        var request = new IstioCertificateRequest { Csr = csr, ValidityDuration = validitySeconds, Metadata = new Google.Protobuf.WellKnownTypes.Struct() };
        request.Metadata.Fields["WorkloadName"] = Google.Protobuf.WellKnownTypes.Value.ForString(workload);
        request.Metadata.Fields["WorkloadNamespace"] = Google.Protobuf.WellKnownTypes.Value.ForString(ns);
        return request;
    }

    public static CallOptions Bearer(string token) => new(new Metadata { { "authorization", "Bearer " + token } }, deadline: DateTime.UtcNow.AddSeconds(20));

    public static CallOptions Bounded => new(deadline: DateTime.UtcNow.AddSeconds(20));

    public static X509Certificate2Collection LoadPem(string file)
    {
        var certificates = new X509Certificate2Collection();
        certificates.ImportFromPemFile(file);
        return certificates;
    }

    public async Task<string> MetricsAsync()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(20) };
        return await http.GetStringAsync(new Uri($"http://{Plane.HttpEndpoint}/metrics"));
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var channel in _channels)
        {
            channel.Dispose();
        }

        await Plane.DisposeAsync();
        _config.Dispose();
    }
}
