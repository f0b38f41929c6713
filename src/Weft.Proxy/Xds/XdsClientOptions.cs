namespace Weft.Proxy.Xds;

/// <summary>Where the control plane is, who the proxy is, and how patiently to reconnect.</summary>
internal sealed record XdsClientOptions
{
    /// <summary>The control plane's gRPC address, <c>HOST:PORT</c>: plaintext, or TLS when <see cref="Security"/> is set.</summary>
    public required string Address { get; init; }

    /// <summary>TLS to the control plane's secure port (verified against its root) and the bearer token; null for plaintext.</summary>
    public Identity.ControlPlaneSecurity? Security { get; init; }

    public required NodeIdentity Node { get; init; }

    /// <summary>The workload certificate to present on the TLS connection to the control plane, once there is one.</summary>
    public Func<Identity.WorkloadCertificate?>? ClientCertificate { get; init; }

    /// <summary>Incremental xDS (Envoy's DELTA_GRPC) instead of state-of-the-world.</summary>
    public bool Delta { get; init; }

    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>First reconnect delay (Envoy's ADS client starts at 500 ms too).</summary>
    public TimeSpan ReconnectInitial { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Longest reconnect delay.</summary>
    public TimeSpan ReconnectMaximum { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Jitter source in [0, 1); tests fix it.</summary>
    public Func<double>? Random { get; init; }
}
