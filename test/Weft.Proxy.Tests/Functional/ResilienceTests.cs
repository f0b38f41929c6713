using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using Weft.Control.Hosting;
using Weft.Proxy.Tests.Support;

namespace Weft.Proxy.Tests.Functional;

/// <summary>
/// A VirtualService with retries, a fault, a mirror and a CORS policy, served by a real <c>weft control</c> from YAML to
/// the proxy as the client's sidecar, with real backends behind WorkloadEntries: what Istio users write, end to end.
/// </summary>
public sealed class ResilienceTests : IAsyncLifetime
{
    private const string Orders = "orders.default.svc.cluster.local:8080";
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "weft-resilience-" + Guid.NewGuid().ToString("N")[..10]);
    private readonly TaskCompletionSource<Backend.Received> _audited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _calls;
    private Backend _orders = null!;
    private Backend _audit = null!;
    private ControlPlane _plane = null!;
    private RunningProxy _proxy = null!;

    public async Task InitializeAsync()
    {
        // Orders fails the first two requests of each /flaky call sequence; audit (the mirror) records what it gets.
        _orders = await Backend.StartAsync("orders", respond: context =>
        {
            if (context.Request.Path == "/flaky" && Interlocked.Increment(ref _calls) <= 2)
            {
                context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                return Task.CompletedTask;
            }

            return context.Response.WriteAsync("orders");
        });
        _audit = await Backend.StartAsync("audit", respond: context =>
        {
            _audited.TrySetResult(_audit.Requests.Last());
            return Task.CompletedTask;
        });

        Directory.CreateDirectory(_directory);
        await File.WriteAllTextAsync(Path.Combine(_directory, "services.yaml"), Services(_orders.Port, _audit.Port));
        await File.WriteAllTextAsync(Path.Combine(_directory, "virtual-service.yaml"), VirtualService);
        _plane = await ControlPlane.StartAsync(new ControlPlaneOptions { ConfigDirectory = _directory, XdsAddress = "127.0.0.1:0", HttpAddress = "127.0.0.1:0" }, NullLoggerFactory.Instance);
        _proxy = await RunningProxy.StartAsync(_plane.XdsEndpoint.ToString(), o => o with { Random = () => 0 });
    }

    public async Task DisposeAsync()
    {
        await _proxy.DisposeAsync();
        await _plane.DisposeAsync();
        await _orders.DisposeAsync();
        await _audit.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task Retries_a_failing_backend_with_the_attempt_count_and_mirrors_to_audit()
    {
        using var response = await _proxy.GetAsync(Orders, "/flaky");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("orders", await response.Content.ReadAsStringAsync());
        Assert.Equal(["1", "2", "3"], _orders.Requests.Select(r => r.Headers["x-envoy-attempt-count"]));

        // Istio turns the -shadow suffix off: the mirror sees the service's own Host.
        var mirrored = await _audited.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("/flaky", mirrored.Target);
        Assert.Equal(Orders, mirrored.Host);
    }

    [Fact]
    public async Task Injects_the_abort_for_requests_that_ask_for_chaos()
    {
        using var response = await _proxy.GetAsync(Orders, "/anything", ("x-chaos", "abort"));
        Assert.Equal((HttpStatusCode)418, response.StatusCode);
        Assert.Equal("fault filter abort", await response.Content.ReadAsStringAsync());
        Assert.Empty(_orders.Requests);
    }

    [Fact]
    public async Task Answers_the_browsers_preflight_from_the_shop()
    {
        using var request = new HttpRequestMessage(HttpMethod.Options, "/flaky");
        request.Headers.Host = Orders;
        request.Headers.TryAddWithoutValidation("origin", "https://shop.example.com");
        request.Headers.TryAddWithoutValidation("access-control-request-method", "POST");
        using var response = await _proxy.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("https://shop.example.com", response.Headers.GetValues("access-control-allow-origin").Single());
        Assert.Equal("GET,POST", response.Headers.GetValues("access-control-allow-methods").Single());
        Assert.Equal("x-token", response.Headers.GetValues("access-control-allow-headers").Single());
        Assert.Equal("86400", response.Headers.GetValues("access-control-max-age").Single());
        Assert.Empty(_orders.Requests);
    }

    private static string Services(int orders, int audit) => $"""
        apiVersion: networking.istio.io/v1
        kind: ServiceEntry
        metadata:
          name: orders
          namespace: default
        spec:
          hosts: [orders.default.svc.cluster.local]
          location: MESH_INTERNAL
          ports:
          - number: 8080
            name: http
            protocol: HTTP
          resolution: STATIC
          workloadSelector:
            labels:
              app: orders
        ---
        apiVersion: networking.istio.io/v1
        kind: WorkloadEntry
        metadata:
          name: orders-1
          namespace: default
        spec:
          address: 127.0.0.1
          ports:
            http: {orders.ToString(CultureInfo.InvariantCulture)}
          labels:
            app: orders
        ---
        apiVersion: networking.istio.io/v1
        kind: ServiceEntry
        metadata:
          name: audit
          namespace: default
        spec:
          hosts: [audit.default.svc.cluster.local]
          location: MESH_INTERNAL
          ports:
          - number: 8080
            name: http
            protocol: HTTP
          resolution: STATIC
          workloadSelector:
            labels:
              app: audit
        ---
        apiVersion: networking.istio.io/v1
        kind: WorkloadEntry
        metadata:
          name: audit-1
          namespace: default
        spec:
          address: 127.0.0.1
          ports:
            http: {audit.ToString(CultureInfo.InvariantCulture)}
          labels:
            app: audit
        """;

    private const string VirtualService = """
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata:
          name: orders
          namespace: default
        spec:
          hosts: [orders.default.svc.cluster.local]
          http:
          - name: chaos
            match:
            - headers:
                x-chaos:
                  exact: abort
            fault:
              abort:
                httpStatus: 418
                percentage:
                  value: 100
            route:
            - destination:
                host: orders.default.svc.cluster.local
          - name: main
            route:
            - destination:
                host: orders.default.svc.cluster.local
            retries:
              attempts: 3
              retryOn: 5xx
              perTryTimeout: 10s
            mirror:
              host: audit.default.svc.cluster.local
            mirrorPercentage:
              value: 100
            corsPolicy:
              allowOrigins:
              - exact: https://shop.example.com
              allowMethods: [GET, POST]
              allowHeaders: [x-token]
              maxAge: 24h
        """;
}
