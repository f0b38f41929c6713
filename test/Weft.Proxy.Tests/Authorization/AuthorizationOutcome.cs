using Google.Protobuf;
using Weft.Proxy.Authorization;
using Weft.Xds.Envoy.Config.Listener.V3;
using Weft.Xds.Envoy.Extensions.Filters.Network.HttpConnectionManager.V3;

namespace Weft.Proxy.Tests.Authorization;

/// <summary>
/// What the proxy's evaluator decides for a probe under a list of filters (HTTP filters of a connection manager, or the
/// network filters of a TCP chain), compiled as the listener compiler compiles them: allowed or not, the response
/// details, and the dynamic metadata the filters left (shadow results).
/// </summary>
internal sealed record AuthorizationOutcome(bool Allowed, int Status, string Details, string Metadata)
{
    public static AuthorizationOutcome Of(IReadOnlyList<IMessage> filters, Probe probe, bool tcp)
    {
        var input = probe.Input(tcp);
        if (tcp)
        {
            var network = NetworkAuthorization.Compile(filters.Cast<Filter>());
            string? policy = null;
            var allowed = network is null || network.Evaluate(input, out policy);
            return new AuthorizationOutcome(allowed, 0, allowed ? string.Empty : $"closed by {policy ?? "ext_authz"}", input.Metadata.ToString());
        }

        var http = HttpAuthorization.Compile(filters.Cast<HttpFilter>(), "inbound_0.0.0.0_8080");
        var verdict = http?.Evaluate(input, out _) ?? AuthorizationVerdict.Allow;
        return new AuthorizationOutcome(verdict.Allowed, verdict.Status, verdict.Details, input.Metadata.ToString());
    }
}
