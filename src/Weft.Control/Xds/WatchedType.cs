using Weft.Control.Generators;

namespace Weft.Control.Xds;

/// <summary>
/// What one stream has asked for and been sent for one resource type. Only the connection's own loop writes it; the debug
/// API reads a copy.
/// </summary>
public sealed class WatchedType(string typeUrl, NameSet.Table? names = null)
{
    private readonly NameSet.Table _table = names ?? new NameSet.Table();
    private NameSet _subscription = NameSet.Empty;

    public string TypeUrl { get; } = typeUrl;

    /// <summary>
    /// Names subscribed to; empty together with <see cref="Wildcard"/> means everything. Interned: proxies subscribed alike
    /// hold the same set, so a thousand sidecars asking for the same thousands of endpoints keep one copy of the names.
    /// </summary>
    public IReadOnlySet<string> Names => _subscription;

    /// <summary>The subscribed names as the interned set generated resources are shared by.</summary>
    public NameSet Subscription => _subscription;

    public bool Wildcard { get; set; }

    public void SetNames(IEnumerable<string> names) => _subscription = _table.Intern(names);

    /// <summary>Adds and removes names in one step; returns the names that were not subscribed before.</summary>
    public IReadOnlyList<string> Change(IEnumerable<string> subscribe, IEnumerable<string> unsubscribe)
    {
        var add = subscribe.Where(n => !_subscription.Contains(n)).Distinct(StringComparer.Ordinal).ToList();
        var remove = unsubscribe.Where(_subscription.Contains).ToHashSet(StringComparer.Ordinal);
        if (add.Count > 0 || remove.Count > 0)
        {
            _subscription = _table.Intern(_subscription.Where(n => !remove.Contains(n)).Concat(add.Where(n => !remove.Contains(n))));
        }

        return add;
    }

    /// <summary>Delta: name → version of every resource the client currently holds from us.</summary>
    public Dictionary<string, string> Sent { get; } = new(StringComparer.Ordinal);

    /// <summary>State of the world: the resources the client currently holds from us.</summary>
    public ResourceSet SentSet { get; set; } = ResourceSet.Empty;

    /// <summary>The last set compared with what the client holds; the same version again means nothing changed.</summary>
    public string? LastGenerated { get; set; }

    /// <summary>How many resources the client holds from us.</summary>
    public int Held(bool delta) => delta ? Sent.Count : SentSet.Count;

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
