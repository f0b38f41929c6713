using Google.Protobuf.WellKnownTypes;

namespace Weft.Control.Model;

/// <summary>
/// One of MeshConfig's <c>extensionProviders</c>: a named external service that AuthorizationPolicies with action CUSTOM
/// name in <c>provider.name</c>. Weft models the two authorization kinds; a provider of another kind (tracing, logging)
/// keeps only its name and <see cref="Kind"/>, so a policy naming it is refused as Istio refuses it.
/// </summary>
public sealed record ExtensionProvider
{
    public required string Name { get; init; }

    /// <summary>The provider's kind as the mesh config spells it, e.g. <c>envoyExtAuthzHttp</c>; empty when none was given.</summary>
    public string Kind { get; init; } = string.Empty;

    public ExtAuthzHttpProvider? EnvoyExtAuthzHttp { get; init; }

    public ExtAuthzGrpcProvider? EnvoyExtAuthzGrpc { get; init; }
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
