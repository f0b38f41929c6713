using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Weft.Bench.ProxyLoad;

/// <summary>
/// Starts the backend and the proxies under test as child processes on free loopback ports, each with one worker (one
/// thread for haproxy) so that the comparison is per core: nginx serving a fixed body is the backend for all of them.
/// </summary>
internal sealed class Servers(string work, ProxyLoadOptions options)
{
    public const string ServiceHost = "backend.default.svc.cluster.local:8080";

    private static readonly HttpClient Probe = new() { Timeout = TimeSpan.FromSeconds(2) };

    public async Task<Candidate> BackendAsync(CancellationToken cancel)
    {
        var port = FreePort();
        var dir = Directory.CreateDirectory(Path.Combine(work, "backend")).FullName;
        var body = new string('x', options.BodyBytes);
        var conf = Path.Combine(dir, "nginx.conf");
        File.WriteAllText(conf, Nginx(dir, $$"""
                server {
                    listen 127.0.0.1:{{port}};
                    location / { default_type text/plain; return 200 "{{body}}"; }
                }
            """));
        var process = Start("nginx", ["-p", dir, "-c", conf, "-g", "daemon off;"], dir);
        var address = Address(port);
        await WaitForAsync(address, ServiceHost, process, cancel).ConfigureAwait(false);
        return new Candidate("direct", address, ServiceHost, [process], () => []);
    }

    public async Task<Candidate> NginxAsync(Candidate backend, CancellationToken cancel)
    {
        var port = FreePort();
        var dir = Directory.CreateDirectory(Path.Combine(work, "nginx")).FullName;
        var conf = Path.Combine(dir, "nginx.conf");
        File.WriteAllText(conf, Nginx(dir, $$"""
                upstream backend { server {{backend.Address}}; keepalive 64; }
                server {
                    listen 127.0.0.1:{{port}};
                    location / {
                        proxy_pass http://backend;
                        proxy_http_version 1.1;
                        proxy_set_header Connection "";
                        proxy_set_header Host $host;
                    }
                }
            """));
        var process = Start("nginx", ["-p", dir, "-c", conf, "-g", "daemon off;"], dir);
        var address = Address(port);
        await WaitForAsync(address, ServiceHost, process, cancel).ConfigureAwait(false);
        return new Candidate("nginx", address, ServiceHost, [process], () => ProcessStats.Tree(process.Id));
    }

    public async Task<Candidate> HaproxyAsync(Candidate backend, CancellationToken cancel)
    {
        var port = FreePort();
        var dir = Directory.CreateDirectory(Path.Combine(work, "haproxy")).FullName;
        var conf = Path.Combine(dir, "haproxy.cfg");
        File.WriteAllText(conf, $"""
            global
                nbthread 1
                maxconn 4000
            defaults
                mode http
                timeout connect 5s
                timeout client 60s
                timeout server 60s
                http-reuse always
            frontend bench
                bind 127.0.0.1:{port}
                default_backend backend
            backend backend
                server backend {backend.Address}

            """); // haproxy refuses a last line without its line feed
        var process = Start("haproxy", ["-db", "-f", conf], dir);
        var address = Address(port);
        await WaitForAsync(address, ServiceHost, process, cancel).ConfigureAwait(false);
        return new Candidate("haproxy", address, ServiceHost, [process], () => ProcessStats.Tree(process.Id));
    }

    /// <summary>
    /// <c>weft control</c> on a ServiceEntry and WorkloadEntry naming the backend, and one <c>weft proxy</c> (a sidecar with
    /// no workload of its own) that requests go through; only the proxy's process counts. Null when this weft has no
    /// <c>proxy</c> command yet.
    /// </summary>
    public async Task<Candidate?> WeftAsync(string name, Candidate backend, TextWriter progress, CancellationToken cancel, int? concurrency = null)
    {
        if (!await HasProxyCommandAsync(cancel).ConfigureAwait(false))
        {
            progress.WriteLine($"weft: {options.Weft} has no `proxy` command yet; weft is not measured");
            return null;
        }

        var dir = Directory.CreateDirectory(Path.Combine(work, name)).FullName;
        var config = Directory.CreateDirectory(Path.Combine(dir, "config")).FullName;
        var backendPort = backend.Address[(backend.Address.LastIndexOf(':') + 1)..];
        File.WriteAllText(Path.Combine(config, "backend.yaml"), BackendService(backendPort, serviceAccount: null));
        var xds = Address(FreePort());
        var control = Start(options.Weft, ["control", "--config", config, "--xds-address", xds, "--http-address", Address(FreePort()), "--log-level", "warn"], dir);
        var outbound = Address(FreePort());
        var health = Address(FreePort());
        var proxy = Start(options.Weft, ["proxy", "--node-id", "sidecar~127.0.0.1~bench-client.default~default.svc.cluster.local", "--xds-address", xds,
            "--outbound-address", outbound, "--inbound-address", Address(FreePort()), "--admin-address", Address(FreePort()),
            "--stats-address", Address(FreePort()), "--health-address", health, .. concurrency is { } workers ? ["--concurrency", workers.ToString(CultureInfo.InvariantCulture)] : Array.Empty<string>()], dir);
        var candidate = new Candidate(name, outbound, ServiceHost, [control, proxy], () => ProcessStats.Tree(proxy.Id));
        try
        {
            await WaitForAsync(health, null, proxy, cancel, "/healthz/ready", also: control).ConfigureAwait(false);
            await WaitForAsync(outbound, ServiceHost, proxy, cancel).ConfigureAwait(false);
            return candidate;
        }
        catch
        {
            await candidate.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Two <c>weft proxy</c>es in a row, as between two meshed workloads: a client sidecar, and a server sidecar whose
    /// Sidecar ingress listener binds the backend's endpoint port and forwards to the backend. With <paramref name="mtls"/>
    /// the mesh is STRICT and both proxies take certificates from <c>weft control</c>'s CA (xDS over TLS); without, the
    /// mesh is DISABLE and both talk plaintext. <paramref name="newConnections"/> makes every request open a new
    /// connection between the proxies (DestinationRule <c>maxRequestsPerConnection: 1</c>), so under mTLS each request
    /// is a full TLS handshake. Both proxies' processes count.
    /// </summary>
    public async Task<Candidate?> WeftPairAsync(string name, Candidate backend, bool mtls, bool newConnections, TextWriter progress, CancellationToken cancel)
    {
        if (!await HasProxyCommandAsync(cancel).ConfigureAwait(false))
        {
            progress.WriteLine($"{name}: {options.Weft} has no `proxy` command yet; not measured");
            return null;
        }

        var dir = Directory.CreateDirectory(Path.Combine(work, name)).FullName;
        var config = Directory.CreateDirectory(Path.Combine(dir, "config")).FullName;
        var state = Path.Combine(dir, "state");
        var backendPort = backend.Address[(backend.Address.LastIndexOf(':') + 1)..];
        var sidecarPort = FreePort();
        File.WriteAllText(Path.Combine(config, "mesh.yaml"), BackendService(sidecarPort.ToString(CultureInfo.InvariantCulture), serviceAccount: "backend") + $$$"""

            ---
            apiVersion: networking.istio.io/v1
            kind: WorkloadEntry
            metadata: {name: bench-client, namespace: default}
            spec: {address: 127.0.0.1, labels: {app: bench-client}, serviceAccount: bench-client}
            ---
            apiVersion: networking.istio.io/v1
            kind: Sidecar
            metadata: {name: backend, namespace: default}
            spec:
              workloadSelector: {labels: {app: backend}}
              ingress:
              - port: {number: {{{sidecarPort}}}, protocol: HTTP, name: http}
                captureMode: NONE
                defaultEndpoint: 127.0.0.1:{{{backendPort}}}
            ---
            apiVersion: security.istio.io/v1
            kind: PeerAuthentication
            metadata: {name: default, namespace: istio-system}
            spec: {mtls: {mode: {{{(mtls ? "STRICT" : "DISABLE")}}}}}
            """ + (newConnections ? """

            ---
            apiVersion: networking.istio.io/v1
            kind: DestinationRule
            metadata: {name: backend, namespace: default}
            spec:
              host: backend.default.svc.cluster.local
              trafficPolicy: {connectionPool: {http: {maxRequestsPerConnection: 1}}}
            """ : string.Empty));
        var xds = Address(FreePort());
        var secure = Address(FreePort());
        var controlHttp = Address(FreePort());
        var control = Start(options.Weft, ["control", "--config", config, "--xds-address", xds, "--http-address", controlHttp, "--state-dir", state, "--secure-xds-address", secure, "--log-level", "warn"], dir);

        // The proxies read the CA's root file, which the control plane writes as it starts.
        await WaitForAsync(controlHttp, null, control, cancel, "/ready").ConfigureAwait(false);
        string[] Connection(string serviceAccount) => mtls
            ? ["--secure-xds-address", secure, "--root-cert", Path.Combine(state, "ca", "root-cert.pem"), "--service-account", serviceAccount]
            : ["--xds-address", xds];

        var serverHealth = Address(FreePort());
        var server = Start(options.Weft, ["proxy", "--node-id", "sidecar~127.0.0.1~backend.default~default.svc.cluster.local", .. Connection("backend"),
            "--outbound-address", Address(FreePort()), "--inbound-address", Address(FreePort()), "--admin-address", Address(FreePort()),
            "--stats-address", Address(FreePort()), "--health-address", serverHealth], dir, "proxy-server");
        var outbound = Address(FreePort());
        var clientHealth = Address(FreePort());
        var client = Start(options.Weft, ["proxy", "--node-id", "sidecar~127.0.0.1~bench-client.default~default.svc.cluster.local", .. Connection("bench-client"),
            "--outbound-address", outbound, "--inbound-address", Address(FreePort()), "--admin-address", Address(FreePort()),
            "--stats-address", Address(FreePort()), "--health-address", clientHealth], dir, "proxy-client");
        var candidate = new Candidate(name, outbound, ServiceHost, [control, server, client], () => [.. ProcessStats.Tree(client.Id), .. ProcessStats.Tree(server.Id)]);
        try
        {
            await WaitForAsync(serverHealth, null, server, cancel, "/healthz/ready", also: control).ConfigureAwait(false);
            await WaitForAsync(clientHealth, null, client, cancel, "/healthz/ready", also: control).ConfigureAwait(false);
            await WaitForAsync(outbound, ServiceHost, client, cancel, also: server).ConfigureAwait(false);
            return candidate;
        }
        catch
        {
            await candidate.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// The library floor (<c>bench/Weft.Bench.Floor</c>): Kestrel and YARP's forwarder alone, built and run as weft proxy is
    /// (NativeAOT, one socket event thread, inline completions), forwarding every request to the backend. Its process
    /// counts.
    /// </summary>
    public async Task<Candidate> FloorAsync(string name, Candidate backend, CancellationToken cancel)
    {
        var dir = Directory.CreateDirectory(Path.Combine(work, name)).FullName;
        var floor = await FloorBinaryAsync(cancel).ConfigureAwait(false);
        var address = Address(FreePort());
        var process = Start(floor, ["--listen", address, "--upstream", "http://" + backend.Address], dir, environment: FloorEnvironment);
        await WaitForAsync(address, ServiceHost, process, cancel).ConfigureAwait(false);
        return new Candidate(name, address, ServiceHost, [process], () => ProcessStats.Tree(process.Id));
    }

    /// <summary>
    /// Two floors in a row, as <see cref="WeftPairAsync"/> puts two weft proxies: with <paramref name="mtls"/> the first
    /// originates mutual TLS 1.2 with an ECDSA P-256 certificate and the second terminates it, requiring a client
    /// certificate, each checking the other's chain against one CA (what weft proxy's mTLS does, less the SPIFFE checks).
    /// Connections between them are kept alive. Both processes count.
    /// </summary>
    public async Task<Candidate> FloorPairAsync(string name, Candidate backend, bool mtls, CancellationToken cancel)
    {
        var dir = Directory.CreateDirectory(Path.Combine(work, name)).FullName;
        var floor = await FloorBinaryAsync(cancel).ConfigureAwait(false);
        var serverAddress = Address(FreePort());
        var clientAddress = Address(FreePort());
        string[] serverTls = [], clientTls = [];
        if (mtls)
        {
            var pki = BenchCertificates.Write(Path.Combine(dir, "pki"));
            serverTls = ["--server-cert", pki.ServerCert, "--server-key", pki.ServerKey, "--client-ca", pki.Ca];
            clientTls = ["--client-cert", pki.ClientCert, "--client-key", pki.ClientKey, "--upstream-ca", pki.Ca];
        }

        var server = Start(floor, ["--listen", serverAddress, "--upstream", "http://" + backend.Address, .. serverTls], dir, "floor-server", FloorEnvironment);
        var client = Start(floor, ["--listen", clientAddress, "--upstream", (mtls ? "https://" : "http://") + serverAddress, .. clientTls], dir, "floor-client", FloorEnvironment);
        var candidate = new Candidate(name, clientAddress, ServiceHost, [server, client], () => [.. ProcessStats.Tree(client.Id), .. ProcessStats.Tree(server.Id)]);
        try
        {
            await WaitForAsync(clientAddress, ServiceHost, client, cancel, also: server).ConfigureAwait(false);
            return candidate;
        }
        catch
        {
            await candidate.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>What <c>weft proxy</c> sets for itself with its default <c>--concurrency 1</c> (ProxyCommand.EventLoops).</summary>
    private static readonly Dictionary<string, string> FloorEnvironment = new(StringComparer.Ordinal)
    {
        ["DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS"] = "1",
        ["DOTNET_SYSTEM_NET_SOCKETS_THREAD_COUNT"] = "1",
    };

    private Task<string>? _floorBinary;

    /// <summary>Publishes the floor (NativeAOT, once per run) beside the repository's other build outputs.</summary>
    private Task<string> FloorBinaryAsync(CancellationToken cancel) => _floorBinary ??= PublishFloorAsync(cancel);

    private async Task<string> PublishFloorAsync(CancellationToken cancel)
    {
        var repository = Path.GetDirectoryName(options.Weft)!;
        var output = Path.Combine(repository, "artifacts", "weft-floor");
        var rid = System.Runtime.InteropServices.RuntimeInformation.OSArchitecture == System.Runtime.InteropServices.Architecture.Arm64 ? "linux-arm64" : "linux-x64";
        // NativeAOT needs clang and zlib1g-dev; without them dotnet publish fails and says so.
        await LoadTools.RunAsync("dotnet", ["publish", Path.Combine(repository, "bench", "Weft.Bench.Floor", "Weft.Bench.Floor.csproj"), "-c", "Release", "-r", rid, "-o", output, "-nologo", "-v", "q"], cancel).ConfigureAwait(false);
        return Path.Combine(output, "weft-floor");
    }

    /// <summary>The backend as a mesh service: its ServiceEntry and the WorkloadEntry at <paramref name="port"/>.</summary>
    private static string BackendService(string port, string? serviceAccount) => $$$"""
        apiVersion: networking.istio.io/v1
        kind: ServiceEntry
        metadata: {name: backend, namespace: default}
        spec:
          hosts: [backend.default.svc.cluster.local]
          location: MESH_INTERNAL
          ports: [{number: 8080, name: http, protocol: HTTP}]
          resolution: STATIC
          workloadSelector: {labels: {app: backend}}
        ---
        apiVersion: networking.istio.io/v1
        kind: WorkloadEntry
        metadata: {name: backend, namespace: default}
        spec: {address: 127.0.0.1, ports: {http: {{{port}}}}, labels: {app: backend}{{{(serviceAccount is null ? string.Empty : ", serviceAccount: " + serviceAccount)}}}}
        """;

    /// <summary>Whether <c>weft proxy --help</c> describes the proxy (a weft without it prints its general help instead).</summary>
    private async Task<bool> HasProxyCommandAsync(CancellationToken cancel)
    {
        var info = new ProcessStartInfo(options.Weft) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = work };
        info.ArgumentList.Add("proxy");
        info.ArgumentList.Add("--help");
        using var help = Process.Start(info) ?? throw new InvalidOperationException($"could not start {options.Weft}");
        var output = help.StandardOutput.ReadToEndAsync(cancel);
        _ = help.StandardError.ReadToEndAsync(cancel);
        await help.WaitForExitAsync(cancel).WaitAsync(TimeSpan.FromMinutes(10), cancel).ConfigureAwait(false);
        return help.ExitCode == 0 && (await output.ConfigureAwait(false)).Contains("--node-id", StringComparison.Ordinal);
    }

    private static string Nginx(string dir, string servers) => $$"""
        worker_processes 1;
        pid {{dir}}/nginx.pid;
        error_log {{dir}}/error.log warn;
        events { worker_connections 10000; }
        http {
            access_log off;
            keepalive_requests 10000000;
            keepalive_timeout 60s;
            client_body_temp_path {{dir}}/body;
            proxy_temp_path {{dir}}/proxy;
        {{servers}}
        }
        """;

    private static Process Start(string file, IReadOnlyList<string> args, string dir, string? logName = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo(file)
        {
            WorkingDirectory = dir,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var (variable, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[variable] = value;
        }

        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {file}");
        // weft's control plane and proxy share a directory: a log per command.
        var log = File.AppendText(Path.Combine(dir, (logName ?? Path.GetFileName(file) + (args.Count > 0 && !args[0].StartsWith('-') ? "-" + args[0] : string.Empty)) + ".log"));
        log.AutoFlush = true;
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (log) { log.WriteLine(e.Data); } } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (log) { log.WriteLine(e.Data); } } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    /// <summary>Waits until a GET answers 200 (two minutes at most: `./weft` may build itself first).</summary>
    /// <param name="also">Another process the answer depends on (weft proxy on its control plane): its exit fails the wait too.</param>
    private static async Task WaitForAsync(string address, string? host, Process process, CancellationToken cancel, string path = "/", Process? also = null)
    {
        var until = Stopwatch.StartNew();
        while (until.Elapsed < TimeSpan.FromMinutes(2))
        {
            foreach (var watched in also is null ? [process] : new[] { process, also })
            {
                if (watched.HasExited)
                {
                    throw new InvalidOperationException($"{watched.StartInfo.FileName} {watched.StartInfo.ArgumentList.FirstOrDefault()} exited with {watched.ExitCode} before {address} answered; its log is in {watched.StartInfo.WorkingDirectory}");
                }
            }

            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, $"http://{address}{path}");
                if (host is not null)
                {
                    request.Headers.Host = host;
                }

                using var response = await Probe.SendAsync(request, cancel).ConfigureAwait(false);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException) when (!cancel.IsCancellationRequested)
            {
            }

            await Task.Delay(100, cancel).ConfigureAwait(false);
        }

        throw new TimeoutException($"{process.StartInfo.FileName} did not answer 200 on http://{address}{path} within two minutes");
    }

    private static string Address(int port) => "127.0.0.1:" + port.ToString(CultureInfo.InvariantCulture);

    private static readonly HashSet<int> Handed = [];

    /// <summary>
    /// A port free now and not handed out before in this run: the OS may offer a port again once it is released, and
    /// the processes a candidate starts bind theirs only later (two of them once got the same one).
    /// </summary>
    private static int FreePort()
    {
        lock (Handed)
        {
            while (true)
            {
                using var listener = new TcpListener(IPAddress.Loopback, 0);
                listener.Start();
                var port = ((IPEndPoint)listener.LocalEndpoint).Port;
                if (Handed.Add(port))
                {
                    return port;
                }
            }
        }
    }
}
