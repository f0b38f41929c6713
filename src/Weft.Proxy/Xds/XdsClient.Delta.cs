using Weft.Xds;
using Weft.Xds.Envoy.Service.Discovery.V3;

namespace Weft.Proxy.Xds;

/// <summary>
/// The incremental (delta) variant of the stream. Subscriptions are sent as changes: the first request of a type on a
/// stream names everything wanted (nothing, for the wildcard types, which is the legacy wildcard) with the versions already
/// held, so a reconnect is not sent what the proxy has; later requests carry only the names added and dropped. Responses
/// add or replace the resources they carry and remove the ones they name as removed; an ACK or NACK quotes the nonce.
/// </summary>
internal sealed partial class XdsClient
{
    private async Task RunDeltaStreamAsync(CancellationToken stop)
    {
        using var call = _client.DeltaAggregatedResources(_options.Security?.Headers(), cancellationToken: stop);
        _deltaRequests = call.RequestStream;
        await SubscribeAllAsync().ConfigureAwait(false);
        while (await call.ResponseStream.MoveNext(stop).ConfigureAwait(false))
        {
            Answered();

            // Compiled on the thread pool, not on the socket thread the response arrived on: that thread serves traffic.
            await Task.Yield();
            await HandleDeltaAsync(call.ResponseStream.Current).ConfigureAwait(false);
        }
    }

    private async Task HandleDeltaAsync(DeltaDiscoveryResponse response)
    {
        if (!_types.TryGetValue(response.TypeUrl, out var type) || !type.Subscribed)
        {
            LogUnexpectedType(_log, response.TypeUrl);
            return;
        }

        var kind = TypeUrls.ShortName(type.TypeUrl);
        type.Nonce = response.Nonce;

        // A resource entry without a body says the resource does not exist: it is removed like a named removal.
        var removed = response.RemovedResources
            .Concat(response.RemovedResourceNames.Select(n => n.Name))
            .Concat(response.Resources.Where(r => r.Resource_ is null).Select(r => r.Name))
            .ToList();
        var (resources, errors) = Decode(type, response.Resources.Where(r => r.Resource_ is not null).Select(r => (r.Resource_, (string?)r.Name, r.Version)));
        var version = response.SystemVersionInfo.Length > 0 ? response.SystemVersionInfo : type.Version;
        if (errors.Count == 0)
        {
            // What compiled but cannot be applied (a listener that cannot bind) is refused alone, as Envoy's LDS does: the
            // rest applies, the refused ones keep their previous version, and the version stays the one acknowledged.
            var refused = Refused(type, resources);
            foreach (var name in removed)
            {
                type.Resources.Remove(name);
            }

            foreach (var (name, resource) in resources)
            {
                type.Resources[name] = resource;
            }

            type.Received = true;
            if (refused.Count == 0)
            {
                type.Version = version;
                type.Rejection = null;
                LogDeltaAccepted(_log, kind, version, resources.Count, removed.Count);
                await SendDeltaAsync(type, error: null).ConfigureAwait(false);
            }

            errors = refused;
        }

        if (errors.Count > 0)
        {
            var reason = string.Join("; ", errors);
            type.Rejection = new XdsRejection(version, reason, _options.Time.GetUtcNow());
            LogRejected(_log, kind, version, reason);
            await SendDeltaAsync(type, reason).ConfigureAwait(false);
        }

        await FollowAsync(type).ConfigureAwait(false);
        Publish();
    }

    /// <summary>
    /// A delta request for a type: the nonce being answered (with the error for a NACK), and the change in names since
    /// the last request of this stream. The first request of a stream carries the whole subscription and the versions held.
    /// </summary>
    private async Task SendDeltaAsync(XdsTypeState type, string? error)
    {
        if (_deltaRequests is null)
        {
            return;
        }

        var request = new DeltaDiscoveryRequest { TypeUrl = type.TypeUrl, ResponseNonce = type.Nonce };
        var first = type.OnStream is null;
        if (first)
        {
            if (!type.Wildcard)
            {
                request.ResourceNamesSubscribe.AddRange(type.Names);
            }

            foreach (var (name, resource) in type.Resources)
            {
                request.InitialResourceVersions[name] = resource.Version;
            }

            type.OnStream = new SortedSet<string>(type.Wildcard ? [] : type.Names, StringComparer.Ordinal);
        }
        else if (!type.Wildcard)
        {
            var sent = type.OnStream!;
            request.ResourceNamesSubscribe.AddRange(type.Names.Where(n => !sent.Contains(n)));
            request.ResourceNamesUnsubscribe.AddRange(sent.Where(n => !type.Names.Contains(n)));
            type.OnStream = new SortedSet<string>(type.Names, StringComparer.Ordinal);
        }

        if (error is not null)
        {
            request.ErrorDetail = new Google.Rpc.Status { Code = InvalidArgument, Message = error };
        }

        // A request that neither answers a response nor changes the subscription says nothing.
        if (!first && request.ResponseNonce.Length == 0 && request.ResourceNamesSubscribe.Count == 0 && request.ResourceNamesUnsubscribe.Count == 0)
        {
            return;
        }

        request.Node = NodeOnce();
        await _deltaRequests.WriteAsync(request).ConfigureAwait(false);
    }

    [Microsoft.Extensions.Logging.LoggerMessage(EventId = 106, Level = Microsoft.Extensions.Logging.LogLevel.Debug, Message = "xDS: accepted {Type} version {Version} ({Count} resource(s) changed, {Removed} removed)")]
    private static partial void LogDeltaAccepted(Microsoft.Extensions.Logging.ILogger log, string type, string version, int count, int removed);
}
