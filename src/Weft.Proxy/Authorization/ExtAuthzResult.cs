namespace Weft.Proxy.Authorization;

/// <summary>
/// How an authorization service answered a check, as Envoy's ext_authz sorts answers: OK (HTTP 200) with the header
/// edits the filter passes on, Denied (any other status below 500) with the status, body and headers for the client,
/// or Error (no answer, a timeout, a 5xx, or no endpoint to ask) with the reason for the log.
/// </summary>
internal sealed class ExtAuthzResult
{
    private static readonly IReadOnlyList<KeyValuePair<string, string>> None = [];

    private ExtAuthzResult(ExtAuthzOutcome outcome) => Outcome = outcome;

    public ExtAuthzOutcome Outcome { get; }

    /// <summary>The status a denial answers the client with.</summary>
    public int Status { get; private init; }

    public string Body { get; private init; } = string.Empty;

    /// <summary>Headers for the client: of a denial, or added to the response when allowed.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> ClientHeaders { get; private init; } = None;

    /// <summary>Headers that replace the upstream request's.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> UpstreamHeaders { get; private init; } = None;

    /// <summary>Headers appended to the upstream request's.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> UpstreamHeadersToAppend { get; private init; } = None;

    /// <summary>Request headers the service asked to remove (<c>x-envoy-auth-headers-to-remove</c>).</summary>
    public IReadOnlyList<string> HeadersToRemove { get; private init; } = [];

    public string Reason { get; private init; } = string.Empty;

    public static ExtAuthzResult Ok(
        IReadOnlyList<KeyValuePair<string, string>> upstream,
        IReadOnlyList<KeyValuePair<string, string>> append,
        IReadOnlyList<KeyValuePair<string, string>> client,
        IReadOnlyList<string> remove) =>
        new(ExtAuthzOutcome.Ok) { UpstreamHeaders = upstream, UpstreamHeadersToAppend = append, ClientHeaders = client, HeadersToRemove = remove };

    public static ExtAuthzResult Denied(int status, string body, IReadOnlyList<KeyValuePair<string, string>> client) =>
        new(ExtAuthzOutcome.Denied) { Status = status, Body = body, ClientHeaders = client };

    public static ExtAuthzResult Error(string reason) => new(ExtAuthzOutcome.Error) { Reason = reason };
}

internal enum ExtAuthzOutcome
{
    Ok,
    Denied,
    Error,
}
