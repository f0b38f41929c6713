using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Weft.Cli.Commands;
using Weft.Cli.Sample;
using Weft.Cli.Tests.Support;

namespace Weft.Cli.Tests.Sample;

public sealed class SampleWorkloadTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private static Task<SampleWorkload> StartAsync(string version = "v2") =>
        SampleWorkload.StartAsync(new SampleWorkloadOptions("product-catalog", version, "product-catalog-" + version, new IPEndPoint(IPAddress.Loopback, 0)));

    private static HttpClient Client() => new(new SocketsHttpHandler { UseProxy = false }) { Timeout = Timeout };

    [Fact]
    public async Task Answers_any_path_with_its_service_version_instance_and_path()
    {
        await using var sample = await StartAsync();
        using var client = Client();

        using var response = await client.GetAsync(new Uri($"http://{sample.Endpoint}/items/42?color=red"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("v2", Assert.Single(response.Headers.GetValues("x-weft-version")));
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("product-catalog", body.RootElement.GetProperty("service").GetString());
        Assert.Equal("v2", body.RootElement.GetProperty("version").GetString());
        Assert.Equal("product-catalog-v2", body.RootElement.GetProperty("instance").GetString());
        Assert.Equal("/items/42", body.RootElement.GetProperty("path").GetString());
    }

    [Fact]
    public async Task Healthz_answers_200()
    {
        await using var sample = await StartAsync();
        using var client = Client();

        using var response = await client.GetAsync(new Uri($"http://{sample.Endpoint}/healthz"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("ok", (await response.Content.ReadAsStringAsync()).Trim());
    }

    [Fact]
    public async Task Answers_many_requests_at_once()
    {
        await using var sample = await StartAsync("v1");
        using var client = Client();
        var uri = new Uri($"http://{sample.Endpoint}/");

        var answers = await Task.WhenAll(Enumerable.Range(0, 200).Select(async _ =>
        {
            using var response = await client.GetAsync(uri);
            return (response.StatusCode, Version: response.Headers.GetValues("x-weft-version").Single());
        }));

        Assert.All(answers, a => Assert.Equal((HttpStatusCode.OK, "v1"), a));
    }

    [Fact]
    public async Task Stopped_it_refuses_connections()
    {
        var sample = await StartAsync();
        var endpoint = sample.Endpoint;
        await sample.DisposeAsync();

        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        var refused = await Assert.ThrowsAsync<SocketException>(() => socket.ConnectAsync(endpoint));
        Assert.Equal(SocketError.ConnectionRefused, refused.SocketErrorCode);
    }

    [Fact]
    public async Task A_taken_port_is_reported_as_in_use()
    {
        using var holder = new TcpListener(IPAddress.Loopback, 0);
        holder.Start();
        var taken = (IPEndPoint)holder.LocalEndpoint;

        var error = await Assert.ThrowsAsync<IOException>(() => SampleWorkload.StartAsync(new SampleWorkloadOptions("s", "v1", "s-v1", taken)));

        Assert.Equal($"{taken} is already in use by another program", ListenFailure.Describe(error, taken));
    }

    /// <summary>As a user runs it: <c>weft sample</c> in its own process, answering until Ctrl-C.</summary>
    [Fact]
    public async Task Weft_sample_command_answers_until_interrupted()
    {
        await using var child = WeftChild.Start("sample", "--service", "ratings", "--version", "v3", "--address", "127.0.0.1:0");
        var (line, _) = await child.NextLineAsync(l => l.StartsWith("weft sample:", StringComparison.Ordinal), Timeout);
        var url = line[(line.IndexOf("http://", StringComparison.Ordinal))..].Trim();
        Assert.StartsWith("weft sample: ratings v3 (instance ratings-v3) on http://127.0.0.1:", line);

        using var client = Client();
        using var body = JsonDocument.Parse(await client.GetStringAsync(new Uri(url + "reviews")));
        Assert.Equal("ratings", body.RootElement.GetProperty("service").GetString());
        Assert.Equal("v3", body.RootElement.GetProperty("version").GetString());
        Assert.Equal("/reviews", body.RootElement.GetProperty("path").GetString());

        child.Interrupt();
        Assert.Equal(0, await child.WaitForExitAsync(Timeout));
        Assert.Contains("weft sample: stopped", child.Stdout);
    }

    [Fact]
    public void Weft_sample_with_a_malformed_address_is_a_usage_error()
    {
        var run = CliRun.Of(["sample", "--service", "s", "--version", "v1", "--address", "nowhere"]);
        Assert.Equal(2, run.ExitCode);
        Assert.StartsWith("weft sample: --address \"nowhere\" is not HOST:PORT", run.Stderr);
    }
}
