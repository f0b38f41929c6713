using System.Collections.Frozen;
using Weft.Xds;

namespace Weft.Proxy.Xds;

/// <summary>
/// The client's state for one resource type. The subscription, accepted version and resources outlive a stream (they are
/// re-sent on reconnect); the nonce belongs to the current stream.
/// </summary>
internal sealed class XdsTypeState(string typeUrl)
{
    public string TypeUrl { get; } = typeUrl;

    /// <summary>Listener and Cluster subscriptions ask for everything; the others name what they want.</summary>
    public bool Wildcard { get; } = TypeUrls.IsWildcardType(typeUrl);

    /// <summary>Whether a request for the type was sent on some stream (so a reconnect must send it again).</summary>
    public bool Subscribed { get; set; }

    public SortedSet<string> Names { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Whether any response was accepted.</summary>
    public bool Received { get; set; }

    public string Version { get; set; } = string.Empty;

    /// <summary>The nonce of the last response on the current stream; empty before the first.</summary>
    public string Nonce { get; set; } = string.Empty;

    /// <summary>Delta: the names this stream's server has been asked for; null until the type's first request on the stream.</summary>
    public SortedSet<string>? OnStream { get; set; }

    public Dictionary<string, AcceptedResource> Resources { get; set; } = new(StringComparer.Ordinal);

    public XdsRejection? Rejection { get; set; }

    /// <summary>Changes the subscription; resources no longer named are forgotten. True when the names changed.</summary>
    public bool SetNames(SortedSet<string> names)
    {
        if (Names.SetEquals(names))
        {
            return false;
        }

        Names = names;
        foreach (var name in Resources.Keys.Where(n => !names.Contains(n)).ToList())
        {
            Resources.Remove(name);
        }

        return true;
    }

    public XdsTypeView View() => new(
        TypeUrl,
        Received,
        Version,
        Resources.ToFrozenDictionary(StringComparer.Ordinal),
        Names.ToFrozenSet(StringComparer.Ordinal),
        Rejection);
}
