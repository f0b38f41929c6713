using Weft.Control.Model;

namespace Weft.Control.Hosting;

/// <summary>How to run a control plane: where the configuration is, where to listen, mesh settings and timing.</summary>
public sealed record ControlPlaneOptions
{
    public required string ConfigDirectory { get; init; }

    /// <summary>Plaintext gRPC xDS, <c>HOST:PORT</c>; port 0 lets the OS choose.</summary>
    public string XdsAddress { get; init; } = "127.0.0.1:15010";

    /// <summary>HTTP for /ready, /metrics and /debug/*, <c>HOST:PORT</c>.</summary>
    public string HttpAddress { get; init; } = "127.0.0.1:15014";

    /// <summary>
    /// Where the CA keeps its root (<c>ca/</c>) and the workload tokens (<c>tokens/</c>); <c>weft control</c> uses
    /// <c>.weft/</c> under the working directory. Null runs without a CA and without the secure xDS port (embedded uses
    /// such as benchmarks).
    /// </summary>
    public string? StateDirectory { get; init; }

    /// <summary>xDS and the CA over TLS (Istio's 15012), <c>HOST:PORT</c>; only with a <see cref="StateDirectory"/>.</summary>
    public string SecureXdsAddress { get; init; } = "127.0.0.1:15012";

    /// <summary>Istio's plug-in CA files (<c>--cacerts</c>); null looks in <c>STATE_DIR/ca/cacerts/</c>.</summary>
    public string? CaCertsDirectory { get; init; }

    /// <summary>The default and longest lifetime of workload certificates (<c>--workload-cert-ttl</c>).</summary>
    public TimeSpan WorkloadCertTtl { get; init; } = Ca.WorkloadCertificates.DefaultTtl;

    /// <summary>Certificate requests must carry the workload's bearer token from <c>STATE_DIR/tokens/NAMESPACE/NAME</c>.</summary>
    public bool RequireTokens { get; init; }

    public MeshConfig Mesh { get; init; } = MeshConfig.Default;

    /// <summary>Quiet time after a file change before a push (Istio's PILOT_DEBOUNCE_AFTER).</summary>
    public TimeSpan Debounce { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Longest a burst of changes can delay a push (PILOT_DEBOUNCE_MAX).</summary>
    public TimeSpan DebounceMax { get; init; } = TimeSpan.FromSeconds(10);

    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>How many proxies are pushed to at once; the rest wait their turn (Istio's <c>PILOT_PUSH_THROTTLE</c>).</summary>
    public int PushConcurrency { get; init; } = Xds.XdsServer.DefaultPushConcurrency;
}
