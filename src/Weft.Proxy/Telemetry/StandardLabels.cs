using System.Text;
using Weft.Proxy.Telemetry.Metrics;

namespace Weft.Proxy.Telemetry;

/// <summary>
/// Istio's standard metric labels, in the order Istio's stats filter emits them. The client side (<c>reporter="source"</c>)
/// reports itself as the source and its upstream peer as the destination; the server side (<c>reporter="destination"</c>)
/// the reverse. Unknown values read <c>unknown</c>, a missing canonical revision <c>latest</c>, as Istio's do.
/// </summary>
internal static class StandardLabels
{
    public const string Unknown = "unknown";

    /// <summary>Every label of <c>istio_requests_total</c> and the HTTP histograms, in order.</summary>
    public static readonly string[] HttpNames =
    [
        "reporter", "source_workload", "source_canonical_service", "source_canonical_revision", "source_workload_namespace",
        "source_principal", "source_app", "source_version", "source_cluster", "destination_workload",
        "destination_workload_namespace", "destination_principal", "destination_app", "destination_version",
        "destination_service", "destination_canonical_service", "destination_canonical_revision", "destination_service_name",
        "destination_service_namespace", "destination_cluster", "request_protocol", "response_code", "grpc_response_status",
        "response_flags", "connection_security_policy",
    ];

    /// <summary>The peer labels only (reporter through destination_cluster), as Istio's gRPC message counters carry them.</summary>
    public static readonly string[] MessageNames = HttpNames[..Array.IndexOf(HttpNames, "request_protocol")];

    /// <summary>The HTTP set without <c>response_code</c> and <c>grpc_response_status</c>, as Istio's TCP metrics carry it.</summary>
    public static readonly string[] TcpNames = HttpNames.Where(n => n is not ("response_code" or "grpc_response_status")).ToArray();

    /// <summary>The values of the HTTP labels (<see cref="HttpNames"/>) of one series.</summary>
    public static List<string> Http(WorkloadMetadata local, in PeerLabels peer, bool grpc, int code, string grpcStatus, string flags)
    {
        var values = Peers(local, peer);
        values.Add(grpc ? "grpc" : "http");
        values.Add(code.ToString(System.Globalization.CultureInfo.InvariantCulture));
        values.Add(grpcStatus);
        values.Add(Flags(flags));
        values.Add(Security(peer));
        return values;
    }

    /// <summary>The values of the gRPC message counters' labels (<see cref="MessageNames"/>): reporter through destination_cluster.</summary>
    public static List<string> Messages(WorkloadMetadata local, in PeerLabels peer) => Peers(local, peer);

    /// <summary>The values of the TCP labels (<see cref="TcpNames"/>, <c>request_protocol="tcp"</c>).</summary>
    public static List<string> Tcp(WorkloadMetadata local, in PeerLabels peer, string flags)
    {
        var values = Peers(local, peer);
        values.Add("tcp");
        values.Add(Flags(flags));
        values.Add(Security(peer));
        return values;
    }

    private static string Flags(string flags) => flags.Length == 0 ? "-" : flags;

    private static string Security(in PeerLabels peer) => peer.MutualTls switch
    {
        true => "mutual_tls",
        false => "none",
        null => Unknown,
    };

    /// <summary>reporter through destination_cluster.</summary>
    private static List<string> Peers(WorkloadMetadata local, in PeerLabels labels)
    {
        var peer = labels.Peer;
        var values = new List<string>(HttpNames.Length);
        if (labels.Inbound)
        {
            values.Add("destination");
            AddWorkload(values, peer, labels.SourcePrincipal.Length > 0 ? labels.SourcePrincipal : Unknown);
            values.Add(Or(local.Workload));
            values.Add(Or(local.Namespace));
            values.Add(Or(labels.DestinationPrincipal));
            values.Add(Or(local.App));
            values.Add(Or(local.Version));
            values.Add(labels.ServiceHost.Length > 0 ? labels.ServiceHost : Or(local.CanonicalService));
            values.Add(Or(local.CanonicalService));
            values.Add(Or(local.CanonicalRevision, "latest"));
            values.Add(labels.ServiceName.Length > 0 ? labels.ServiceName : Or(local.CanonicalService));
            values.Add(Or(local.Namespace));
            values.Add(Or(local.Cluster));
        }
        else
        {
            values.Add("source");
            AddWorkload(values, local, Or(labels.SourcePrincipal));
            values.Add(Or(peer?.Workload));
            values.Add(Or(NamespaceOf(labels.DestinationPrincipal) ?? peer?.Namespace));
            values.Add(Or(labels.DestinationPrincipal));
            values.Add(Or(peer?.App));
            values.Add(Or(peer?.Version));
            values.Add(Or(labels.ServiceHost));
            values.Add(Or(peer?.CanonicalService));
            values.Add(Or(peer?.CanonicalRevision, "latest"));
            values.Add(Or(labels.ServiceName));
            values.Add(Or(peer?.Namespace is { Length: > 0 } ns ? ns : labels.ServiceNamespace));
            values.Add(Or(peer?.Cluster));
        }

        return values;
    }

    /// <summary>
    /// source_workload through source_cluster; the principal comes from certificates, not from metadata: on the client
    /// side from the upstream TLS connection (this proxy's certificate), else <c>unknown</c>, as Istio's stats filter.
    /// </summary>
    private static void AddWorkload(List<string> values, WorkloadMetadata? workload, string principal)
    {
        values.Add(Or(workload?.Workload));
        values.Add(Or(workload?.CanonicalService));
        values.Add(Or(workload?.CanonicalRevision, "latest"));
        values.Add(Or(workload?.Namespace));
        values.Add(principal);
        values.Add(Or(workload?.App));
        values.Add(Or(workload?.Version));
        values.Add(Or(workload?.Cluster));
    }

    /// <summary>The namespace of a SPIFFE principal (<c>…/ns/NAMESPACE/sa/…</c>), which Istio prefers to the peer's metadata; null when it has none.</summary>
    private static string? NamespaceOf(string principal)
    {
        var start = principal.IndexOf("/ns/", StringComparison.Ordinal);
        if (start < 0)
        {
            return null;
        }

        start += 4;
        var end = principal.IndexOf('/', start);
        var ns = end < 0 ? principal[start..] : principal[start..end];
        return ns.Length > 0 ? ns : null;
    }

    private static string Or(string? value, string fallback = Unknown) => string.IsNullOrEmpty(value) ? fallback : value;

    /// <summary>Labels rendered for the exposition format (without braces).</summary>
    public static string Render(IReadOnlyList<string> names, IReadOnlyList<string> values)
    {
        var text = new StringBuilder(512);
        for (var i = 0; i < names.Count; i++)
        {
            if (i > 0)
            {
                text.Append(',');
            }

            PrometheusText.AppendLabel(text, names[i], values[i]);
        }

        return text.ToString();
    }
}
