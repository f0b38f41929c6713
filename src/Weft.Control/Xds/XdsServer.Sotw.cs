using Grpc.Core;
using Weft.Control.Generators;
using Weft.Control.Push;
using Weft.Xds;
using Weft.Xds.Envoy.Service.Discovery.V3;

namespace Weft.Control.Xds;

public sealed partial class XdsServer
{
    private async Task HandleSotwAsync(XdsConnection connection, DiscoveryRequest request, IServerStreamWriter<DiscoveryResponse> responses)
    {
        if (!_generators.Serves(request.TypeUrl))
        {
            LogUnknownType(_log, connection.Proxy.Id, request.TypeUrl);
            return;
        }

        var watched = connection.Watch(request.TypeUrl);
        switch (SotwRules.Decide(request, watched))
        {
            case SotwDecision.Nack:
                RecordNack(connection, watched, request.ResponseNonce, request.ErrorDetail.Message);
                return;
            case SotwDecision.Stale:
                _metrics.ExpiredNonce.WithLabels(Metrics.ControlMetrics.TypeLabel(request.TypeUrl)).Inc();
                return;
            case SotwDecision.None:
                if (request.ResponseNonce == watched.NonceSent)
                {
                    RecordAck(watched, request.ResponseNonce, request.VersionInfo);
                }

                Subscribe(watched, request);
                return;
            case SotwDecision.Respond:
                if (!string.IsNullOrEmpty(request.ResponseNonce) && request.ResponseNonce == watched.NonceSent)
                {
                    RecordAck(watched, request.ResponseNonce, request.VersionInfo);
                }

                Subscribe(watched, request);
                await SendSotwAsync(connection, _push, watched, responses, onlyChanged: false).ConfigureAwait(false);
                return;
        }
    }

    private static void Subscribe(WatchedType watched, DiscoveryRequest request)
    {
        watched.Wildcard = SotwRules.IsWildcard(request.TypeUrl, request.ResourceNames);
        watched.Names.Clear();
        foreach (var name in request.ResourceNames)
        {
            if (name != "*")
            {
                watched.Names.Add(name);
            }
        }

        // What the client no longer asks for, it no longer holds.
        foreach (var name in watched.Sent.Keys.Where(n => !watched.Wildcard && !watched.Names.Contains(n)).ToArray())
        {
            watched.Sent.Remove(name);
        }
    }

    private async Task PushSotwAsync(XdsConnection connection, PushContext push, DateTimeOffset since, IServerStreamWriter<DiscoveryResponse> responses)
    {
        foreach (var type in _generators.Types)
        {
            if (connection.Watched.TryGetValue(type, out var watched) && watched.Responded)
            {
                if (await SendSotwAsync(connection, push, watched, responses, onlyChanged: true).ConfigureAwait(false))
                {
                    watched.PushStartedAt ??= since;
                }
            }
        }
    }

    /// <summary>
    /// Sends the current resources of a type. With <paramref name="onlyChanged"/>, nothing is sent when the proxy already
    /// holds exactly these resources; Listener and Cluster responses always carry the whole set (an omitted one is deleted),
    /// route and endpoint responses only the resources that changed.
    /// </summary>
    private async Task<bool> SendSotwAsync(XdsConnection connection, PushContext push, WatchedType watched, IServerStreamWriter<DiscoveryResponse> responses, bool onlyChanged)
    {
        var resources = Generate(connection, push, watched);
        var complete = TypeUrls.IsWildcardType(watched.TypeUrl);
        IReadOnlyList<XdsResource> toSend = resources;
        if (onlyChanged)
        {
            var changed = resources.Where(r => !watched.Sent.TryGetValue(r.Name, out var v) || v != r.Version).ToList();
            // A set, not a scan per name: a sidecar holds thousands of clusters, and this runs for every proxy on every push.
            var current = complete ? resources.Select(r => r.Name).ToHashSet(StringComparer.Ordinal) : null;
            var removed = current is not null && watched.Sent.Keys.Any(n => !current.Contains(n));
            if (changed.Count == 0 && !removed)
            {
                return false;
            }

            if (!complete)
            {
                toSend = changed;
            }
        }

        var response = new DiscoveryResponse
        {
            TypeUrl = watched.TypeUrl,
            VersionInfo = push.VersionInfo,
            Nonce = NextNonce(),
            ControlPlane = new Weft.Xds.Envoy.Config.Core.V3.ControlPlane { Identifier = "weft" },
        };
        foreach (var resource in toSend)
        {
            response.Resources.Add(resource.Any);
        }

        if (complete)
        {
            watched.Sent.Clear();
        }

        foreach (var resource in toSend)
        {
            watched.Sent[resource.Name] = resource.Version;
        }

        RecordSent(connection, watched, response.Nonce, response.VersionInfo, response.CalculateSize());
        await responses.WriteAsync(response).ConfigureAwait(false);
        return true;
    }
}
