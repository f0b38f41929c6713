using Weft.Xds.Envoy.Config.Listener.V3;
using Weft.Xds.Envoy.Extensions.TransportSockets.Tls.V3;
using static Weft.Control.Tests.Support.ListenerTestSupport;

namespace Weft.Control.Tests.Simulation;

/// <summary>
/// Connections arriving at a sidecar's virtualInbound under each PeerAuthentication mode, chosen the way Envoy chooses a
/// filter chain: plaintext from a client without a sidecar, mTLS from a sidecar (HTTP, and TCP with metadata exchange),
/// and the application's own TLS. Which chain takes each (and whether it terminates mTLS), or that the connection is
/// closed for want of one; no two chains may ever match a connection equally, which Envoy would reject.
/// </summary>
public sealed class InboundMutualTlsSimulationTests
{
    // The workload receives HTTP on 8080, TCP on 5000 and detected traffic on 6000; 7777 is declared by nothing.
    private const string Workload = """
        apiVersion: networking.istio.io/v1
        kind: WorkloadEntry
        metadata: {name: app, namespace: default}
        spec: {address: 10.0.0.1, labels: {app: reviews}, ports: {http: 8080}}
        ---
        apiVersion: networking.istio.io/v1
        kind: ServiceEntry
        metadata: {name: reviews, namespace: default}
        spec:
          hosts: [reviews.default.svc.cluster.local]
          location: MESH_INTERNAL
          resolution: STATIC
          ports:
          - {number: 9080, name: http, protocol: HTTP}
          - {number: 5000, name: tcp-data, protocol: TCP}
          - {number: 6000, name: sniffed}
          workloadSelector: {labels: {app: reviews}}
        """;

    private const string Closed = "closed";

    public static TheoryData<string, string, int, string> Connections => new()
    {
        { "PERMISSIVE", "plaintext", 8080, "0.0.0.0_8080 http" },
        { "PERMISSIVE", "plaintext", 5000, "0.0.0.0_5000 tcp" },
        { "PERMISSIVE", "plaintext", 6000, "0.0.0.0_6000 http" },
        { "PERMISSIVE", "plaintext", 7777, "virtualInbound-catchall-http http" },
        { "PERMISSIVE", "sidecar-http", 8080, "0.0.0.0_8080 http mtls" },
        { "PERMISSIVE", "sidecar-http", 5000, "0.0.0.0_5000 tcp mtls" },
        { "PERMISSIVE", "sidecar-http", 6000, "0.0.0.0_6000 http mtls" },
        { "PERMISSIVE", "sidecar-http", 7777, "virtualInbound-catchall-http http mtls" },
        { "PERMISSIVE", "sidecar-tcp", 8080, "0.0.0.0_8080 http mtls" },
        { "PERMISSIVE", "sidecar-tcp", 6000, "0.0.0.0_6000 tcp mtls" },
        { "PERMISSIVE", "sidecar-tcp", 7777, "virtualInbound tcp mtls" },
        { "PERMISSIVE", "app-tls", 8080, Closed },
        { "PERMISSIVE", "app-tls", 5000, "0.0.0.0_5000 tcp" },
        { "PERMISSIVE", "app-tls", 6000, "0.0.0.0_6000 tcp" },
        { "PERMISSIVE", "app-tls", 7777, "virtualInbound tcp" },
        { "STRICT", "plaintext", 8080, Closed },
        { "STRICT", "plaintext", 5000, Closed },
        { "STRICT", "plaintext", 7777, Closed },
        { "STRICT", "sidecar-http", 8080, "0.0.0.0_8080 http mtls" },
        { "STRICT", "sidecar-http", 6000, "0.0.0.0_6000 http mtls" },
        { "STRICT", "sidecar-tcp", 5000, "0.0.0.0_5000 tcp mtls" },
        { "STRICT", "sidecar-tcp", 6000, "0.0.0.0_6000 tcp mtls" },
        { "STRICT", "sidecar-tcp", 7777, "virtualInbound tcp mtls" },
        { "STRICT", "app-tls", 6000, "0.0.0.0_6000 tcp mtls" },
        { "DISABLE", "plaintext", 8080, "0.0.0.0_8080 http" },
        { "DISABLE", "plaintext", 7777, "virtualInbound-catchall-http http" },
        // Nothing matches TLS, so no TLS inspector runs: TLS bytes are opaque plaintext to the chains.
        { "DISABLE", "sidecar-http", 8080, "0.0.0.0_8080 http" },
        { "DISABLE", "app-tls", 5000, "0.0.0.0_5000 tcp" },
        { "DISABLE", "app-tls", 7777, "virtualInbound tcp" },
    };

    [Theory]
    [MemberData(nameof(Connections))]
    public void A_connection_lands_on_the_chain_its_mode_and_protocol_call_for(string mode, string client, int port, string expected)
    {
        var push = NewPush(Workload + $$"""

            ---
            apiVersion: security.istio.io/v1
            kind: PeerAuthentication
            metadata: {name: default, namespace: default}
            spec:
              mtls:
                mode: {{mode}}
            """);
        var listener = ListenerOf(Sidecar(push: push), push, "virtualInbound");
        var call = client switch
        {
            "plaintext" => Call.Http($"10.0.0.1:{port}") with { Address = "10.0.0.1" },
            "sidecar-http" => new Call { Address = "10.0.0.1", Port = port, Protocol = CallProtocol.Tls, Alpn = ["istio-http/1.1", "istio", "http/1.1"] },
            "sidecar-tcp" => new Call { Address = "10.0.0.1", Port = port, Protocol = CallProtocol.Tls, Alpn = ["istio-peer-exchange", "istio"] },
            _ => new Call { Address = "10.0.0.1", Port = port, Protocol = CallProtocol.Tls, Sni = "reviews.example.com", Alpn = ["h2", "http/1.1"] },
        };

        var (chain, failure, reason) = FilterChainSelector.Select(listener, ConnectionFacts.Of(listener, call));

        Assert.NotEqual(Failure.AmbiguousFilterChain, failure);
        Assert.True(expected == (chain is null ? Closed : Describe(chain)), $"{mode} {client} to {port}: expected {expected}, got {(chain is null ? reason : Describe(chain))}");
    }

    private static string Describe(FilterChain chain)
    {
        var terminates = chain.TransportSocket is { } socket && socket.TypedConfig.Is(DownstreamTlsContext.Descriptor) ? " mtls" : string.Empty;
        return $"{chain.Name} {(Hcm(chain) is null ? "tcp" : "http")}{terminates}";
    }
}
