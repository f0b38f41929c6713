using System.Buffers;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Weft.Cli.Sample;

/// <summary>
/// The workload Weft ships for examples and tests: an HTTP/1.1 server that answers every request with who it is, as JSON
/// (<c>{"service","version","instance","path"}</c>) and the header <c>x-weft-version</c>, and <c>/healthz</c> with 200.
/// <see cref="StartAsync"/> returns once the port accepts connections; disposing stops it, letting requests in flight finish.
/// </summary>
internal sealed class SampleWorkload : IAsyncDisposable
{
    public const string VersionHeader = "x-weft-version";

    private readonly WebApplication _app;

    private SampleWorkload(SampleWorkloadOptions options, WebApplication app)
    {
        Options = options;
        _app = app;
    }

    public SampleWorkloadOptions Options { get; }

    /// <summary>The address it listens on, with the port the OS chose when asked for port 0.</summary>
    public IPEndPoint Endpoint
    {
        get
        {
            var uri = new Uri(_app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
            return new IPEndPoint(IPAddress.Parse(uri.Host.Trim('[', ']')), uri.Port);
        }
    }

    /// <summary>Starts listening; an address already in use surfaces as an <see cref="IOException"/>.</summary>
    public static async Task<SampleWorkload> StartAsync(SampleWorkloadOptions options, CancellationToken cancel = default)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(2));
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Listen(options.Address, l => l.Protocols = HttpProtocols.Http1);
        });
        var app = builder.Build();
        app.Run(context => Answer(context, options));
        try
        {
            await app.StartAsync(cancel).ConfigureAwait(false);
        }
        catch
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return new SampleWorkload(options, app);
    }

    private static Task Answer(HttpContext context, SampleWorkloadOptions options)
    {
        var response = context.Response;
        response.Headers[VersionHeader] = options.Version;
        if (context.Request.Path.Equals("/healthz", StringComparison.Ordinal))
        {
            response.ContentType = "text/plain";
            return response.WriteAsync("ok\n", context.RequestAborted);
        }

        var bytes = Body(options, context.Request.Path.HasValue ? context.Request.Path.Value! : "/");
        response.ContentType = "application/json";
        response.ContentLength = bytes.Length;
        return HttpMethods.IsHead(context.Request.Method) ? Task.CompletedTask : response.Body.WriteAsync(bytes, context.RequestAborted).AsTask();
    }

    private static byte[] Body(SampleWorkloadOptions options, string path)
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("service", options.Service);
            writer.WriteString("version", options.Version);
            writer.WriteString("instance", options.Instance);
            writer.WriteString("path", path);
            writer.WriteEndObject();
        }

        buffer.Write("\n"u8);
        return buffer.WrittenSpan.ToArray();
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
