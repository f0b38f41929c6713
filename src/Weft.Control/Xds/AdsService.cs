using Grpc.Core;
using Weft.Xds.Envoy.Service.Discovery.V3;

namespace Weft.Control.Xds;

/// <summary>The gRPC face of <see cref="XdsServer"/>: Envoy's AggregatedDiscoveryService, both protocols.</summary>
public sealed class AdsService(XdsServer server) : AggregatedDiscoveryService.AggregatedDiscoveryServiceBase
{
    public override Task StreamAggregatedResources(IAsyncStreamReader<DiscoveryRequest> requestStream, IServerStreamWriter<DiscoveryResponse> responseStream, ServerCallContext context) =>
        server.RunSotwAsync(requestStream, responseStream, XdsCaller.Of(context), context.CancellationToken);

    public override Task DeltaAggregatedResources(IAsyncStreamReader<DeltaDiscoveryRequest> requestStream, IServerStreamWriter<DeltaDiscoveryResponse> responseStream, ServerCallContext context) =>
        server.RunDeltaAsync(requestStream, responseStream, XdsCaller.Of(context), context.CancellationToken);
}
