using System.Net;

namespace Weft.Cli.Up;

/// <summary>
/// A WorkloadEntry that <c>weft up</c> runs as a sample workload: who it answers as, where its endpoint is, and the file
/// that declares it. With a <see cref="Sidecar"/>, the endpoint is the sidecar's listener and the sample answers behind it.
/// </summary>
internal sealed record PlannedWorkload(string Name, string Namespace, string Service, string Version, IPEndPoint Address, string File)
{
    /// <summary>The sidecar in front of the workload, when a Sidecar resource gives it an ingress listener; null runs none.</summary>
    public PlannedSidecar? Sidecar { get; init; }

    /// <summary>Where the sample workload listens: behind its sidecar, or at the endpoint itself.</summary>
    public IPEndPoint AppAddress => Sidecar?.AppAddress ?? Address;

    /// <summary>The WorkloadEntry's labels (the sidecar's <c>--label</c>s).</summary>
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

    /// <summary>The WorkloadEntry's service account (<c>default</c> when it names none): the sidecar's identity.</summary>
    public string ServiceAccount { get; init; } = "default";

    /// <summary>The node id of the proxy that is this workload (Istio's <c>sidecar~IP~NAME.NAMESPACE~DOMAIN</c>).</summary>
    public string NodeId => $"sidecar~127.0.0.1~{Name}.{Namespace}~{Namespace}.svc.cluster.local";
}

/// <summary>
/// A workload's sidecar as <c>weft up</c> runs it: the Sidecar resource whose ingress listener (bound for real,
/// <c>captureMode: NONE</c>) takes the workload's endpoint port and forwards to <see cref="AppAddress"/>.
/// </summary>
internal sealed record PlannedSidecar(string Resource, IPEndPoint AppAddress);
