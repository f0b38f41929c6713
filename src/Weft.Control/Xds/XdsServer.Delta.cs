using Grpc.Core;
using Weft.Control.Push;
using Weft.Xds;
using Weft.Xds.Envoy.Service.Discovery.V3;

namespace Weft.Control.Xds;

public sealed partial class XdsServer
{
    private async Task HandleDeltaAsync(XdsConnection connection, DeltaDiscoveryRequest request, IServerStreamWriter<DeltaDiscoveryResponse> responses)
    {
        if (!_generators.Serves(request.TypeUrl))
        {
            LogUnknownType(_log, connection.Proxy.Id, request.TypeUrl);
            return;
        }

        NoteUnverifiedSecrets(connection, request.TypeUrl);

        var watched = connection.Watch(request.TypeUrl);
        if (request.ErrorDetail is not null)
        {
            RecordNack(connection, watched, request.ResponseNonce, request.ErrorDetail.Message);
            return;
        }

        var initial = string.IsNullOrEmpty(request.ResponseNonce) || !watched.Responded;
        if (!initial)
        {
            if (request.ResponseNonce == watched.NonceSent)
            {
                RecordAck(watched, request.ResponseNonce, watched.VersionSent ?? string.Empty);
            }
            else
            {
                _metrics.ExpiredNonce.WithLabels(Metrics.ControlMetrics.TypeLabel(request.TypeUrl)).Inc();
            }
        }

        if (initial && !watched.Responded)
        {
            // Wildcard: an explicit "*", or a first request that names nothing (legacy wildcard).
            watched.Wildcard = request.ResourceNamesSubscribe.Contains("*")
                || (request.ResourceNamesSubscribe.Count == 0 && TypeUrls.IsWildcardType(request.TypeUrl));
            foreach (var (name, version) in request.InitialResourceVersions)
            {
                watched.Sent[name] = version;
            }
        }

        var added = request.ResourceNamesSubscribe.Contains("*") && !watched.Wildcard;
        if (request.ResourceNamesSubscribe.Contains("*"))
        {
            watched.Wildcard = true;
        }

        if (request.ResourceNamesUnsubscribe.Contains("*"))
        {
            watched.Wildcard = false;
        }

        var newNames = watched.Change(request.ResourceNamesSubscribe.Where(n => n != "*"), request.ResourceNamesUnsubscribe);
        added |= newNames.Count > 0;
        if (!initial)
        {
            foreach (var name in newNames)
            {
                watched.Sent.Remove(name); // A later subscription asks for the resource again.
            }
        }

        foreach (var name in request.ResourceNamesUnsubscribe)
        {
            watched.Sent.Remove(name);
        }

        watched.LastGenerated = null;
        if (initial || added)
        {
            await ThrottledAsync(() => SendDeltaAsync(connection, _push, watched, responses, force: initial)).ConfigureAwait(false);
        }
    }

    private async Task PushDeltaAsync(XdsConnection connection, PushContext push, DateTimeOffset since, IServerStreamWriter<DeltaDiscoveryResponse> responses)
    {
        foreach (var type in _generators.Types)
        {
            if (connection.Watched.TryGetValue(type, out var watched) && watched.Responded)
            {
                if (await SendDeltaAsync(connection, push, watched, responses, force: false).ConfigureAwait(false))
                {
                    watched.PushStartedAt ??= since;
                }
            }
        }
    }

    /// <summary>Sends the resources whose version differs from what the client holds, and the names it holds that are gone.</summary>
    private async Task<bool> SendDeltaAsync(XdsConnection connection, PushContext push, WatchedType watched, IServerStreamWriter<DeltaDiscoveryResponse> responses, bool force)
    {
        var resources = Generate(connection, push, watched);
        if (!force && watched.LastGenerated == resources.Version)
        {
            return false;
        }

        var changed = resources.Resources.Where(r => !watched.Sent.TryGetValue(r.Name, out var v) || v != r.Version).ToList();
        var removed = watched.Sent.Keys.Where(n => !resources.Contains(n)).Order(StringComparer.Ordinal).ToList();
        watched.LastGenerated = resources.Version;
        if (changed.Count == 0 && removed.Count == 0 && !force)
        {
            return false;
        }

        var response = new DeltaDiscoveryResponse
        {
            TypeUrl = watched.TypeUrl,
            SystemVersionInfo = push.VersionInfo,
            Nonce = NextNonce(),
            ControlPlane = new Weft.Xds.Envoy.Config.Core.V3.ControlPlane { Identifier = "weft" },
        };
        foreach (var resource in changed)
        {
            response.Resources.Add(new Resource { Name = resource.Name, Version = resource.Version, Resource_ = resource.Any });
            watched.Sent[resource.Name] = resource.Version;
        }

        foreach (var name in removed)
        {
            response.RemovedResources.Add(name);
            watched.Sent.Remove(name);
        }

        RecordSent(connection, watched, response.Nonce, response.SystemVersionInfo, response.CalculateSize());
        await responses.WriteAsync(response).ConfigureAwait(false);
        return true;
    }
}
