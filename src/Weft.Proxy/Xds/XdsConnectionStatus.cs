namespace Weft.Proxy.Xds;

/// <summary>Whether the proxy has a live stream to the control plane, and if not, why (as a sentence for health output).</summary>
internal sealed record XdsConnectionStatus(bool Connected, string? LastError, DateTimeOffset? Since)
{
    /// <summary>While disconnected: when the next attempt is due (set as the backoff starts).</summary>
    public DateTimeOffset? RetryAt { get; init; }
}
