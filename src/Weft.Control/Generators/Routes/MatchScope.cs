using Weft.Api.Model.Networking;

namespace Weft.Control.Generators.Routes;

/// <summary>
/// Whether a match request applies where routes are being built: its <c>port</c> must be the listener's, and either
/// its <c>gateways</c> name the gateway the routes are for (<c>mesh</c> for sidecars) or, when it names none, the
/// proxy must carry its <c>sourceLabels</c> and sit in its <c>sourceNamespace</c>. Entries that do not apply are left out.
/// </summary>
internal static class MatchScope
{
    public static bool Applies(RouteContext context, HTTPMatchRequest? match)
    {
        if (match is null)
        {
            return true;
        }

        if (match.Port is { } port && port != 0 && port != context.ListenerPort)
        {
            return false;
        }

        // As in Istio, naming gateways makes the source conditions irrelevant.
        if (match.Gateways is { Count: > 0 } gateways)
        {
            return gateways.Contains(context.Gateway, StringComparer.Ordinal);
        }

        var labels = context.Proxy.Labels;
        if (match.SourceLabels is { } wanted && !wanted.All(kv => labels.TryGetValue(kv.Key, out var v) && v == kv.Value))
        {
            return false;
        }

        return string.IsNullOrEmpty(match.SourceNamespace) || match.SourceNamespace == context.Proxy.Namespace;
    }
}
