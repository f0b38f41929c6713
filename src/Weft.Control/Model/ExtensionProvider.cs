using Google.Protobuf.WellKnownTypes;

namespace Weft.Control.Model;

/// <summary>
/// One of MeshConfig's <c>extensionProviders</c>: a named external service that AuthorizationPolicies with action CUSTOM
/// name in <c>provider.name</c>, or a telemetry provider that Telemetry resources name. Weft models the two
/// authorization kinds and <c>envoyFileAccessLog</c>; a provider of another kind (tracing, gRPC access log services)
/// keeps only its name and <see cref="Kind"/>, so a policy naming it is refused as Istio refuses it.
/// </summary>
public sealed record ExtensionProvider
{
    public required string Name { get; init; }

    /// <summary>The provider's kind as the mesh config spells it, e.g. <c>envoyExtAuthzHttp</c>; empty when none was given.</summary>
    public string Kind { get; init; } = string.Empty;

    public ExtAuthzHttpProvider? EnvoyExtAuthzHttp { get; init; }

    public ExtAuthzGrpcProvider? EnvoyExtAuthzGrpc { get; init; }

    public FileAccessLogProvider? EnvoyFileAccessLog { get; init; }

    /// <summary>
    /// The providers every Istio mesh config has unless it replaces them by name: <c>prometheus</c> (metrics),
    /// <c>stackdriver</c>, and <c>envoy</c>, a file access log to standard output in the mesh's access log format.
    /// </summary>
    public static IReadOnlyList<ExtensionProvider> BuiltIn { get; } =
    [
        new() { Name = "prometheus", Kind = "prometheus" },
        new() { Name = "stackdriver", Kind = "stackdriver" },
        new() { Name = EnvoyName, Kind = "envoyFileAccessLog", EnvoyFileAccessLog = new FileAccessLogProvider { Path = "/dev/stdout" } },
    ];

    /// <summary>The built-in file access log provider's name.</summary>
    public const string EnvoyName = "envoy";

    /// <summary>The provider a Telemetry resource names, as istiod finds it: the mesh's by name (ignoring case), then the built-in ones.</summary>
    public static ExtensionProvider? Find(MeshConfig mesh, string name) =>
        mesh.ExtensionProviders.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase))
        ?? BuiltIn.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase));
}

/// <summary>
/// <c>envoyFileAccessLog</c>: Envoy's file access log. <see cref="Text"/> or <see cref="Labels"/> is the
/// <c>logFormat</c> (neither: Istio's default text format).
/// </summary>
public sealed record FileAccessLogProvider
{
    /// <summary>Where to write; standard output when empty.</summary>
    public string Path { get; init; } = string.Empty;

    /// <summary><c>logFormat.text</c>: a format string; null when not given.</summary>
    public string? Text { get; init; }

    /// <summary><c>logFormat.labels</c>: JSON keys and their format strings; null when not given (empty: Istio's JSON format).</summary>
    public Struct? Labels { get; init; }

    public bool OmitEmptyValues { get; init; }

    /// <summary>Whether a <c>logFormat</c> was given at all.</summary>
    public bool HasFormat => Text is not null || Labels is not null;
}

/// <summary>The settings the two ext_authz provider kinds share.</summary>
public abstract record ExtAuthzProvider
{
    /// <summary>The authorization service: <c>HOST</c>, or <c>NAMESPACE/HOST</c> when the host exists in several namespaces.</summary>
    public string Service { get; init; } = string.Empty;

    public uint Port { get; init; }

    /// <summary>How long to wait for the service; Envoy's 600s when null.</summary>
    public Duration? Timeout { get; init; }

    /// <summary>Let requests through when the service cannot be reached.</summary>
    public bool FailOpen { get; init; }

    /// <summary>The HTTP status (as text, as the mesh config has it) sent when the service cannot be reached.</summary>
    public string StatusOnError { get; init; } = string.Empty;

    public ExtAuthzRequestBody? IncludeRequestBodyInCheck { get; init; }
}

/// <summary><c>envoyExtAuthzHttp</c>: the check is an HTTP request to the service.</summary>
public sealed record ExtAuthzHttpProvider : ExtAuthzProvider
{
    public string PathPrefix { get; init; } = string.Empty;

    public IReadOnlyList<string> IncludeRequestHeadersInCheck { get; init; } = [];

    /// <summary>Deprecated spelling of <see cref="IncludeRequestHeadersInCheck"/>, used only when that one is empty.</summary>
    public IReadOnlyList<string> IncludeHeadersInCheck { get; init; } = [];

    public IReadOnlyDictionary<string, string> IncludeAdditionalHeadersInCheck { get; init; } = new Dictionary<string, string>();

    public IReadOnlyList<string> HeadersToUpstreamOnAllow { get; init; } = [];

    public IReadOnlyList<string> HeadersToDownstreamOnDeny { get; init; } = [];

    public IReadOnlyList<string> HeadersToDownstreamOnAllow { get; init; } = [];
}

/// <summary><c>envoyExtAuthzGrpc</c>: the check is Envoy's gRPC authorization API; also usable on TCP chains.</summary>
public sealed record ExtAuthzGrpcProvider : ExtAuthzProvider;

/// <summary><c>includeRequestBodyInCheck</c>: how much of the request body the check carries.</summary>
public sealed record ExtAuthzRequestBody(uint MaxRequestBytes, bool AllowPartialMessage, bool PackAsBytes);
