using Weft.Xds;
using Weft.Xds.Envoy.Service.Discovery.V3;

namespace Weft.Control.Xds;

/// <summary>What to do with a state-of-the-world request.</summary>
public enum SotwDecision
{
    /// <summary>Nothing to send (an ACK with unchanged names, or an unsubscribe).</summary>
    None,

    /// <summary>A rejection of what was sent: record it, send nothing (the rejected version is not sent again).</summary>
    Nack,

    /// <summary>The request answers an older response: ignore it entirely.</summary>
    Stale,

    /// <summary>Send the current resources for the (new) subscription.</summary>
    Respond,
}

/// <summary>
/// The state-of-the-world protocol rules, as Istio applies them: a request with an error is a NACK (recorded, no reply);
/// no nonce means a new subscription (reply with everything); a nonce other than the last one sent is stale (ignored); a
/// matching nonce is an ACK, answered only when the subscription grew (or, for wildcard types, changed at all).
/// </summary>
public static class SotwRules
{
    public static SotwDecision Decide(DiscoveryRequest request, WatchedType watched)
    {
        if (request.ErrorDetail is not null)
        {
            return SotwDecision.Nack;
        }

        var names = request.ResourceNames;
        if (string.IsNullOrEmpty(request.ResponseNonce) || !watched.Responded)
        {
            return SotwDecision.Respond;
        }

        if (request.ResponseNonce != watched.NonceSent)
        {
            return SotwDecision.Stale;
        }

        if (IsWildcard(request.TypeUrl, names))
        {
            return watched.Wildcard ? SotwDecision.None : SotwDecision.Respond;
        }

        var changed = names.Count != watched.Names.Count || names.Any(n => !watched.Names.Contains(n));
        if (!changed)
        {
            return SotwDecision.None;
        }

        var added = names.Any(n => !watched.Names.Contains(n));
        return added || TypeUrls.IsWildcardType(request.TypeUrl) ? SotwDecision.Respond : SotwDecision.None;
    }

    /// <summary>An LDS or CDS request with no names (or <c>*</c>) subscribes to everything.</summary>
    public static bool IsWildcard(string typeUrl, IReadOnlyCollection<string> names) =>
        TypeUrls.IsWildcardType(typeUrl) && (names.Count == 0 || names.Contains("*"));
}
