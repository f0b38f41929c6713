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

        NoteUnverifiedSecrets(connection, request.TypeUrl);

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

                if (!SameSubscription(watched, request))
                {
                    Subscribe(watched, request);
                }

                return;
            case SotwDecision.Respond:
                if (!string.IsNullOrEmpty(request.ResponseNonce) && request.ResponseNonce == watched.NonceSent)
                {
                    RecordAck(watched, request.ResponseNonce, request.VersionInfo);
                }

                Subscribe(watched, request);
                await ThrottledAsync(() => SendSotwAsync(connection, _push, watched, responses, onlyChanged: false)).ConfigureAwait(false);
                return;
        }
    }

    /// <summary>Whether a request names what is subscribed already (an acknowledgement usually does).</summary>
    private static bool SameSubscription(WatchedType watched, DiscoveryRequest request)
    {
        if (watched.Wildcard != SotwRules.IsWildcard(request.TypeUrl, request.ResourceNames))
        {
            return false;
        }

        var count = 0;
        foreach (var name in request.ResourceNames)
        {
            if (name != "*")
            {
                if (!watched.Names.Contains(name))
                {
                    return false;
                }

                count++;
            }
        }

        return count == watched.Names.Count;
    }

    private static void Subscribe(WatchedType watched, DiscoveryRequest request)
    {
        watched.Wildcard = SotwRules.IsWildcard(request.TypeUrl, request.ResourceNames);
        watched.SetNames(request.ResourceNames.Where(n => n != "*"));
        watched.LastGenerated = null;

        // What the client no longer asks for, it no longer holds.
        if (!watched.Wildcard && watched.SentSet.Resources.Any(r => !watched.Names.Contains(r.Name)))
        {
            watched.SentSet = watched.SentSet.Where(watched.Names.Contains);
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
        IReadOnlyList<XdsResource> toSend = resources.Resources;
        if (onlyChanged)
        {
            // Most pushes change nothing for most types: the same set (often the very object a class of proxies shares)
            // is recognised by its version without looking at its resources.
            if (watched.LastGenerated == resources.Version)
            {
                return false;
            }

            var held = watched.SentSet;
            var changed = resources.Resources.Where(r => !held.Holds(r)).ToList();
            var removed = complete && held.Resources.Any(r => !resources.Contains(r.Name));
            if (changed.Count == 0 && !removed)
            {
                watched.LastGenerated = resources.Version;
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

        // Routes and endpoints a response leaves out are unchanged, so after it the client holds this set: what it holds
        // beyond it (a resource no longer generated) is forgotten here, which at worst sends it again if it comes back.
        watched.SentSet = resources;
        watched.LastGenerated = resources.Version;
        RecordSent(connection, watched, response.Nonce, response.VersionInfo, response.CalculateSize());
        await responses.WriteAsync(response).ConfigureAwait(false);
        return true;
    }
}
