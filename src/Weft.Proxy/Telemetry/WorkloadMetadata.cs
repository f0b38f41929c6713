using Google.Protobuf.WellKnownTypes;

namespace Weft.Proxy.Telemetry;

/// <summary>
/// What telemetry knows of one workload, the local one or a peer: the fields Istio's metadata exchange carries and its
/// standard metrics label by. Empty strings mean "not known" (the labels then say <c>unknown</c>, or <c>latest</c> for
/// the canonical revision). Equal when every field is equal, so series keyed by it do not split when a new snapshot
/// or a new header parse yields an equal copy.
/// </summary>
internal sealed class WorkloadMetadata : IEquatable<WorkloadMetadata>
{
    public const string CanonicalNameLabel = "service.istio.io/canonical-name";
    public const string CanonicalRevisionLabel = "service.istio.io/canonical-revision";

    private readonly int _hash;

    public WorkloadMetadata(string workload, string @namespace, string canonicalService, string canonicalRevision, string app, string version, string cluster, string identity = "")
    {
        Workload = workload;
        Namespace = @namespace;
        CanonicalService = canonicalService;
        CanonicalRevision = canonicalRevision;
        App = app;
        Version = version;
        Cluster = cluster;
        Identity = identity;
        _hash = HashCode.Combine(workload, @namespace, canonicalService, canonicalRevision, app, version, cluster, identity);
    }

    public string Workload { get; }

    public string Namespace { get; }

    public string CanonicalService { get; }

    public string CanonicalRevision { get; }

    public string App { get; }

    public string Version { get; }

    /// <summary>The cluster id (Istio's <c>CLUSTER_ID</c>, <c>Kubernetes</c> by default).</summary>
    public string Cluster { get; }

    /// <summary>The SPIFFE identity, when the peer said it (plaintext telemetry takes principals only from certificates).</summary>
    public string Identity { get; }

    /// <summary>
    /// The local workload from its node and labels, with the canonical service and revision derived as Istio derives
    /// them: <c>service.istio.io/canonical-name</c>, <c>app.kubernetes.io/name</c>, <c>app</c>, else the workload name;
    /// <c>service.istio.io/canonical-revision</c>, <c>app.kubernetes.io/version</c>, <c>version</c>, else <c>latest</c>.
    /// </summary>
    public static WorkloadMetadata Local(string name, string @namespace, IReadOnlyDictionary<string, string> labels, string clusterId) => new(
        name,
        @namespace,
        First(labels, CanonicalNameLabel, "app.kubernetes.io/name", "app") ?? name,
        First(labels, CanonicalRevisionLabel, "app.kubernetes.io/version", "version") ?? "latest",
        First(labels, "app") ?? string.Empty,
        First(labels, "version") ?? string.Empty,
        clusterId);

    /// <summary>
    /// An endpoint's <c>filter_metadata.istio.workload</c>: <c>NAME;NAMESPACE;CANONICAL_SERVICE;CANONICAL_REVISION;CLUSTER</c>.
    /// As in Istio, this encoding carries no app or version. Null when it has fewer than five parts.
    /// </summary>
    public static WorkloadMetadata? FromEndpoint(string encoding)
    {
        var parts = encoding.Split(';');
        return parts.Length < 5 ? null : new WorkloadMetadata(parts[0], parts[1], parts[2], parts[3], string.Empty, string.Empty, parts[4]);
    }

    /// <summary>A peer's metadata as the exchange sends it: a Struct with <c>NAME</c>, <c>NAMESPACE</c>, <c>WORKLOAD_NAME</c>, <c>CLUSTER_ID</c>, <c>LABELS</c>, ...</summary>
    public static WorkloadMetadata FromStruct(Struct metadata)
    {
        var fields = metadata.Fields;
        var labels = fields.TryGetValue("LABELS", out var l) && l.StructValue is { } s ? s.Fields : null;
        string Label(params string[] keys)
        {
            foreach (var key in keys)
            {
                if (labels is not null && labels.TryGetValue(key, out var v) && v.StringValue is { Length: > 0 } text)
                {
                    return text;
                }
            }

            return string.Empty;
        }

        return new WorkloadMetadata(
            Text(fields, "WORKLOAD_NAME"),
            Text(fields, "NAMESPACE"),
            Label(CanonicalNameLabel),
            Label(CanonicalRevisionLabel),
            Label("app", "app.kubernetes.io/name"),
            Label("version", "app.kubernetes.io/version"),
            Text(fields, "CLUSTER_ID"),
            Text(fields, "IDENTITY"));
    }

    /// <summary>The Struct this workload sends as its peer metadata (only the keys with a value).</summary>
    public Struct ToStruct(string instanceName)
    {
        var labels = new Struct();
        Put(labels, "app", App);
        Put(labels, CanonicalNameLabel, CanonicalService);
        Put(labels, CanonicalRevisionLabel, CanonicalRevision);
        Put(labels, "version", Version);
        var metadata = new Struct();
        Put(metadata, "CLUSTER_ID", Cluster);
        Put(metadata, "IDENTITY", Identity);
        metadata.Fields["LABELS"] = Value.ForStruct(labels);
        Put(metadata, "NAME", instanceName);
        Put(metadata, "NAMESPACE", Namespace);
        Put(metadata, "WORKLOAD_NAME", Workload);
        return metadata;
    }

    public bool Equals(WorkloadMetadata? other) =>
        ReferenceEquals(this, other) || (other is not null && _hash == other._hash
            && Workload == other.Workload && Namespace == other.Namespace && CanonicalService == other.CanonicalService
            && CanonicalRevision == other.CanonicalRevision && App == other.App && Version == other.Version
            && Cluster == other.Cluster && Identity == other.Identity);

    public override bool Equals(object? obj) => Equals(obj as WorkloadMetadata);

    public override int GetHashCode() => _hash;

    private static string? First(IReadOnlyDictionary<string, string> labels, params string[] keys)
    {
        foreach (var key in keys)
        {
            if (labels.TryGetValue(key, out var value) && value.Length > 0)
            {
                return value;
            }
        }

        return null;
    }

    private static string Text(Google.Protobuf.Collections.MapField<string, Value> fields, string key) =>
        fields.TryGetValue(key, out var v) && v.KindCase == Value.KindOneofCase.StringValue ? v.StringValue : string.Empty;

    private static void Put(Struct target, string key, string value)
    {
        if (value.Length > 0)
        {
            target.Fields[key] = Value.ForString(value);
        }
    }
}
