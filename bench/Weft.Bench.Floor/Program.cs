using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Yarp.ReverseProxy.Forwarder;

// The library floor of the proxy benchmark: Kestrel and YARP's IHttpForwarder, the two libraries the architecture
// gives weft proxy's request path, forwarding every request to one upstream and doing nothing else (no routing,
// telemetry, policy or header work). It runs with the settings weft proxy runs with (one socket event thread, inline
// completions and scheduling, the same NativeAOT build), so what weft costs above it is Weft's own, and what it costs
// itself is what the libraries cost.
//
//   weft-floor --listen HOST:PORT --upstream http(s)://HOST:PORT
//              [--server-cert PEM --server-key PEM --client-ca PEM]   (terminate mutual TLS, a client certificate required)
//              [--client-cert PEM --client-key PEM --upstream-ca PEM] (originate mutual TLS, TLS 1.2 as weft proxy does)
var options = FloorOptions.Parse(args);
if (options is null)
{
    Console.Error.WriteLine("usage: weft-floor --listen HOST:PORT --upstream URL [--server-cert F --server-key F --client-ca F] [--client-cert F --client-key F --upstream-ca F]");
    return 2;
}

var web = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
web.WebHost.UseKestrelCore();
web.Logging.ClearProviders();
web.Services.AddHttpForwarder();
web.Services.Configure<SocketTransportOptions>(o => o.UnsafePreferInlineScheduling = true);
web.WebHost.ConfigureKestrel(kestrel =>
{
    kestrel.AddServerHeader = false;
    kestrel.Limits.MinRequestBodyDataRate = null;
    kestrel.Limits.MinResponseDataRate = null;
    kestrel.Limits.KeepAliveTimeout = TimeSpan.FromHours(1);
    kestrel.Listen(options.Listen, listen =>
    {
        listen.Protocols = HttpProtocols.Http1;
        if (options.ServerCertificate is { } certificate)
        {
            var clientCa = options.ClientCa!;
            listen.UseHttps(new HttpsConnectionAdapterOptions
            {
                ServerCertificate = certificate,
                SslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
                ClientCertificateMode = ClientCertificateMode.RequireCertificate,
                ClientCertificateValidation = (client, _, _) => Chains(client, clientCa),
            });
        }
    });
});

var handler = new SocketsHttpHandler
{
    UseProxy = false,
    AllowAutoRedirect = false,
    AutomaticDecompression = DecompressionMethods.None,
    UseCookies = false,
    ActivityHeadersPropagator = null,
};
if (options.ClientCertificate is { } clientCertificate)
{
    var upstreamCa = options.UpstreamCa!;
    handler.SslOptions = new SslClientAuthenticationOptions
    {
        ClientCertificates = [clientCertificate],
        EnabledSslProtocols = SslProtocols.Tls12,
        RemoteCertificateValidationCallback = (_, server, _, _) => server is X509Certificate2 certificate && Chains(certificate, upstreamCa),
    };
}

using var invoker = new HttpMessageInvoker(handler, disposeHandler: true);
var app = web.Build();
var forwarder = app.Services.GetRequiredService<IHttpForwarder>();
var upstream = options.Upstream;
app.Run(async context => await forwarder.SendAsync(context, upstream, invoker, ForwarderRequestConfig.Empty, HttpTransformer.Empty).ConfigureAwait(false));
await app.RunAsync().ConfigureAwait(false);
return 0;

// Whether a peer's certificate chains to the one CA the floor trusts.
static bool Chains(X509Certificate2 certificate, X509Certificate2 ca)
{
    using var chain = new X509Chain();
    chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
    chain.ChainPolicy.CustomTrustStore.Add(ca);
    chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
    return chain.Build(certificate);
}

internal sealed record FloorOptions(IPEndPoint Listen, string Upstream)
{
    public X509Certificate2? ServerCertificate { get; init; }

    public X509Certificate2? ClientCa { get; init; }

    public X509Certificate2? ClientCertificate { get; init; }

    public X509Certificate2? UpstreamCa { get; init; }

    [SuppressMessage("Reliability", "CA2000", Justification = "The certificates live as long as the process.")]
    public static FloorOptions? Parse(IReadOnlyList<string> args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i + 1 < args.Count; i += 2)
        {
            values[args[i]] = args[i + 1];
        }

        if (args.Count % 2 != 0 || !values.TryGetValue("--listen", out var listen) || !IPEndPoint.TryParse(listen, out var endpoint)
            || !values.TryGetValue("--upstream", out var upstream))
        {
            return null;
        }

        var options = new FloorOptions(endpoint, upstream);
        if (values.TryGetValue("--server-cert", out var serverCert))
        {
            options = options with
            {
                ServerCertificate = X509Certificate2.CreateFromPemFile(serverCert, values["--server-key"]),
                ClientCa = X509Certificate2.CreateFromPem(File.ReadAllText(values["--client-ca"])),
            };
        }

        if (values.TryGetValue("--client-cert", out var clientCert))
        {
            options = options with
            {
                ClientCertificate = X509Certificate2.CreateFromPemFile(clientCert, values["--client-key"]),
                UpstreamCa = X509Certificate2.CreateFromPem(File.ReadAllText(values["--upstream-ca"])),
            };
        }

        return options;
    }
}
