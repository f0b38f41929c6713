using System.Diagnostics;
using System.Globalization;
using System.Net;
using Weft.Proxy.Tests.Support;

namespace Weft.Proxy.Tests.Functional;

/// <summary>
/// The proxy as <c>./weft proxy</c> runs it: the NativeAOT build (<c>artifacts/weft-proxy/weft</c>, which test.sh builds),
/// as a process of its own under a real control plane. Trimming and ahead-of-time compilation can break what reflection
/// or native libraries reach (libsodium for EdDSA, OpenSSL for RSA), which the in-process proxy of the other tests
/// would never show: here a workload's RequestAuthentication is served with EdDSA and RS256 keys, and tokens are
/// checked by the compiled binary.
/// </summary>
public sealed class NativeAotProxyTests
{
    private const string Workload = "sidecar~127.0.0.1~product-catalog-v1.default~default.svc.cluster.local";
    private const string IssuerName = "https://issuer.example";

    /// <summary>What the compiled proxy wrote to standard error, for a failure's message.</summary>
    private static readonly System.Collections.Concurrent.ConcurrentQueue<string> Errors = new();

    [SkippableFact]
    public async Task The_compiled_proxy_serves_and_checks_EdDSA_and_RS256_tokens()
    {
        var binary = Path.Combine(Golden.RepositoryRoot(), "artifacts", "weft-proxy", "weft");
        var unbuilt = Unbuilt(binary);
        Skip.If(unbuilt is not null, unbuilt);

        using var issuer = new TokenIssuer(IssuerName);
        // The policies are there before the control plane starts, so the first configuration the proxy is ready with has
        // them; written after, they could arrive after the first checks (a tampered token was once let through so).
        await using var mesh = await CanaryMesh.StartAsync(startPlane: false);
        mesh.Write("jwt.yaml", $"""
            apiVersion: security.istio.io/v1
            kind: RequestAuthentication
            metadata: {"{"}name: jwt, namespace: default{"}"}
            spec:
              selector: {"{"}matchLabels: {"{"}app: product-catalog{"}"}{"}"}
              jwtRules:
              - issuer: {IssuerName}
                jwks: '{issuer.Jwks}'
            ---
            apiVersion: security.istio.io/v1
            kind: AuthorizationPolicy
            metadata: {"{"}name: require-jwt, namespace: default{"}"}
            spec:
              selector: {"{"}matchLabels: {"{"}app: product-catalog{"}"}{"}"}
              rules:
              - from: [{"{"}source: {"{"}requestPrincipals: ["{IssuerName}/alice"]{"}"}{"}"}]
            """);
        await mesh.StartPlaneAsync("127.0.0.1:0");

        await WhileReadyAsync(binary, mesh, async (client, inbound, _) =>
        {
            var claims = new Dictionary<string, object> { ["aud"] = "catalog" };
            Assert.Equal(HttpStatusCode.OK, await StatusAsync(client, inbound, issuer.Token("alice", "EdDSA", claims)));
            Assert.Equal(HttpStatusCode.OK, await StatusAsync(client, inbound, issuer.Token("alice", "RS256", claims)));
            Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(client, inbound, TokenIssuer.Tamper(issuer.Token("alice", "EdDSA", claims))));
            Assert.Equal(HttpStatusCode.Forbidden, await StatusAsync(client, inbound, issuer.Token("bob", "EdDSA", claims)));
            Assert.Equal(HttpStatusCode.Forbidden, await StatusAsync(client, inbound, null));
            Assert.Equal(2, mesh.V1.Requests.Count);
        });
    }

    /// <summary>
    /// Start-up faults in most of the 20 MB binary, though serving uses about half of it; once ready the proxy gives those
    /// pages back (<c>MADV_PAGEOUT</c>), so its resident share of its own file falls well below what start-up left, and it
    /// still serves: the pages requests need come back from the file.
    /// </summary>
    [SkippableFact]
    public async Task The_compiled_proxy_gives_back_the_pages_only_start_up_used_and_still_serves()
    {
        var binary = Path.Combine(Golden.RepositoryRoot(), "artifacts", "weft-proxy", "weft");
        var unbuilt = Unbuilt(binary);
        Skip.If(unbuilt is not null, unbuilt);

        await using var mesh = await CanaryMesh.StartAsync();
        await WhileReadyAsync(binary, mesh, async (client, inbound, process) =>
        {
            // Start-up leaves about nine tenths of the read-only part resident; after the release a fraction of it.
            var real = new FileInfo(binary).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? Path.GetFullPath(binary);
            await EventuallyAsync(process, () => Task.FromResult(ResidentShare(process.Id, real) < 0.5), "the proxy to hold less than half of its binary's read-only pages");

            Assert.Equal(HttpStatusCode.OK, await StatusAsync(client, inbound, null));
            Assert.Equal(HttpStatusCode.OK, await StatusAsync(client, inbound, null));
            Assert.Equal(2, mesh.V1.Requests.Count);
        });
    }

    /// <summary>Runs the compiled proxy as product-catalog v1's sidecar under the mesh's control plane, and the checks once it is ready.</summary>
    private static async Task WhileReadyAsync(string binary, CanaryMesh mesh, Func<HttpClient, int, Process, Task> checks)
    {
        var inbound = Ports.Free();
        var health = Ports.Free();
        using var process = Start(binary, mesh.XdsAddress, inbound, health);
        try
        {
            using var client = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(10) };
            await EventuallyAsync(process, async () => (await client.GetAsync($"http://127.0.0.1:{health}/healthz/ready")).StatusCode == HttpStatusCode.OK, "the proxy to be ready");
            await checks(client, inbound, process);
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }
    }

    /// <summary>How much of the read-only mappings of <paramref name="path"/> in a process is resident, from its smaps.</summary>
    private static double ResidentShare(int pid, string path)
    {
        long size = 0;
        long resident = 0;
        var counting = false;
        foreach (var line in File.ReadLines($"/proc/{pid}/smaps"))
        {
            if (Weft.Proxy.Hosting.StartupPages.ReadOnlyFileMapping(line)?.Path == path)
            {
                counting = true;
            }
            else if (line.Split(' ', 2)[0] is var range && range.Contains('-', StringComparison.Ordinal) && range.Replace("-", string.Empty, StringComparison.Ordinal).All(char.IsAsciiHexDigit))
            {
                counting = false;
            }
            else if (counting && line.StartsWith("Size:", StringComparison.Ordinal))
            {
                size += Kilobytes(line);
            }
            else if (counting && line.StartsWith("Rss:", StringComparison.Ordinal))
            {
                resident += Kilobytes(line);
            }
        }

        Assert.True(size > 0, $"no read-only mapping of {path} in process {pid}");
        return (double)resident / size;

        static long Kilobytes(string line) => long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
    }

    /// <summary>Why the compiled proxy cannot be tested here: missing, or older than the sources it is compiled from (as ./weft judges).</summary>
    private static string? Unbuilt(string binary)
    {
        if (!OperatingSystem.IsLinux())
        {
            return "SKIPPED: the NativeAOT proxy is built for Linux here";
        }

        var stamp = Path.Combine(Path.GetDirectoryName(binary)!, ".built");
        if (!File.Exists(binary) || !File.Exists(stamp))
        {
            return "SKIPPED: the NativeAOT proxy is not built (./weft proxy --help builds it, as test.sh does; it needs a C toolchain and zlib1g-dev)";
        }

        var root = Golden.RepositoryRoot();
        var built = File.GetLastWriteTimeUtc(stamp);
        var sources = new[] { "src/Weft.Proxy", "src/Weft.Xds", "src/Weft.ProxyHost" }
            .SelectMany(d => Directory.EnumerateFiles(Path.Combine(root, d), "*.*", SearchOption.AllDirectories))
            .Where(f => !f.Contains("/bin/", StringComparison.Ordinal) && !f.Contains("/obj/", StringComparison.Ordinal))
            .Where(f => f.EndsWith(".cs", StringComparison.Ordinal) || f.EndsWith(".csproj", StringComparison.Ordinal) || f.EndsWith(".proto", StringComparison.Ordinal))
            .Append(Path.Combine(root, "src/Weft.Cli/Commands/ProxyCommand.cs"));
        var newer = sources.FirstOrDefault(f => File.GetLastWriteTimeUtc(f) > built);
        return newer is null ? null : $"SKIPPED: the NativeAOT proxy is older than {Path.GetRelativePath(root, newer)} (./weft proxy --help rebuilds it, as test.sh does)";
    }

    private static Process Start(string binary, string xds, int inbound, int health)
    {
        var start = new ProcessStartInfo(binary) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[]
        {
            "proxy", "--node-id", Workload, "--xds-address", xds, "--label", "app=product-catalog", "--label", "version=v1",
            "--inbound-address", $"127.0.0.1:{inbound}", "--health-address", $"127.0.0.1:{health}",
            "--outbound-address", "127.0.0.1:0", "--admin-address", "127.0.0.1:0", "--stats-address", "127.0.0.1:0",
        })
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, e) => Errors.Enqueue(e.Data ?? string.Empty);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static async Task<HttpStatusCode> StatusAsync(HttpClient client, int inbound, string? token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{inbound}/items"));
        request.Headers.Host = CanaryMesh.Host;
        if (token is not null)
        {
            request.Headers.TryAddWithoutValidation("authorization", "Bearer " + token);
        }

        using var response = await client.SendAsync(request);
        return response.StatusCode;
    }

    private static async Task EventuallyAsync(Process process, Func<Task<bool>> condition, string what)
    {
        var deadline = Stopwatch.GetTimestamp() + (30 * Stopwatch.Frequency);
        while (true)
        {
            Assert.False(process.HasExited, $"the compiled proxy exited while waiting for {what}: {string.Join('\n', Errors)}");
            try
            {
                if (await condition())
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }

            if (Stopwatch.GetTimestamp() > deadline)
            {
                throw new TimeoutException($"timed out waiting for {what}; the proxy said: {string.Join('\n', Errors)}");
            }

            await Task.Delay(50);
        }
    }
}
