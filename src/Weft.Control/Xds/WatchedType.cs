namespace Weft.Control.Xds;

/// <summary>
/// What one stream has asked for and been sent for one resource type. Only the connection's own loop writes it; the debug
/// API reads a copy.
/// </summary>
public sealed class WatchedType(string typeUrl)
{
    public string TypeUrl { get; } = typeUrl;

    /// <summary>Names subscribed to; empty together with <see cref="Wildcard"/> means everything.</summary>
    public HashSet<string> Names { get; } = new(StringComparer.Ordinal);

    public bool Wildcard { get; set; }

    /// <summary>Name → version of every resource the client currently holds from us.</summary>
    public Dictionary<string, string> Sent { get; } = new(StringComparer.Ordinal);

    public string? NonceSent { get; set; }

    public string? VersionSent { get; set; }

    public DateTimeOffset? SentAt { get; set; }

    public string? NonceAcked { get; set; }

    public string? VersionAcked { get; set; }

    /// <summary>The last rejection (NACK) the client sent, cleared by the next acknowledgement.</summary>
    public Rejection? LastRejection { get; set; }

    /// <summary>Whether a response of this type has been sent on this stream.</summary>
    public bool Responded => NonceSent is not null;

    /// <summary>The push context version whose change is waiting to be acknowledged, for convergence timing.</summary>
    public DateTimeOffset? PushStartedAt { get; set; }
}

/// <summary>A NACK: the nonce and version rejected, the client's message and when.</summary>
public sealed record Rejection(string Nonce, string Version, string Message, DateTimeOffset At);
