using Grpc.Core;
using Weft.Xds.Envoy.Service.Discovery.V3;
using Weft.Xds.Envoy.Service.Status.V3;

namespace Weft.Xds.Tests;

public sealed class AdsServiceTests
{
    [Fact]
    public void Ads_descriptor_has_both_streams()
    {
        var service = AggregatedDiscoveryService.Descriptor;
        Assert.Equal("envoy.service.discovery.v3.AggregatedDiscoveryService", service.FullName);

        var sotw = service.FindMethodByName("StreamAggregatedResources");
        Assert.True(sotw.IsClientStreaming && sotw.IsServerStreaming);
        Assert.Equal(DiscoveryRequest.Descriptor, sotw.InputType);
        Assert.Equal(DiscoveryResponse.Descriptor, sotw.OutputType);

        var delta = service.FindMethodByName("DeltaAggregatedResources");
        Assert.True(delta.IsClientStreaming && delta.IsServerStreaming);
        Assert.Equal(DeltaDiscoveryRequest.Descriptor, delta.InputType);
        Assert.Equal(DeltaDiscoveryResponse.Descriptor, delta.OutputType);
        Assert.Equal(2, service.Methods.Count);
        Assert.Equal(
            ["envoy.service.discovery.v3.AggregatedDiscoveryService/StreamAggregatedResources", "envoy.service.discovery.v3.AggregatedDiscoveryService/DeltaAggregatedResources"],
            service.Methods.Select(m => $"{service.FullName}/{m.Name}"));
    }

    // Method.FullName is the HTTP/2 :path of the call.
    [Fact]
    public void Ads_server_binding_uses_Envoys_method_paths()
    {
        var binder = new RecordingBinder();
        AggregatedDiscoveryService.BindService(binder, new Ads());

        Assert.Equal(
            [
                ("/envoy.service.discovery.v3.AggregatedDiscoveryService/StreamAggregatedResources", MethodType.DuplexStreaming),
                ("/envoy.service.discovery.v3.AggregatedDiscoveryService/DeltaAggregatedResources", MethodType.DuplexStreaming),
            ],
            binder.Methods.OrderByDescending(m => m.FullName, StringComparer.Ordinal));
    }

    [Fact]
    public void Csds_binding_uses_Envoys_method_paths()
    {
        var binder = new RecordingBinder();
        ClientStatusDiscoveryService.BindService(binder, new Csds());

        Assert.Contains(("/envoy.service.status.v3.ClientStatusDiscoveryService/StreamClientStatus", MethodType.DuplexStreaming), binder.Methods);
        Assert.Contains(("/envoy.service.status.v3.ClientStatusDiscoveryService/FetchClientStatus", MethodType.Unary), binder.Methods);
    }

    [Fact]
    public void Ads_client_type_is_generated() =>
        Assert.True(typeof(ClientBase<AggregatedDiscoveryService.AggregatedDiscoveryServiceClient>)
            .IsAssignableFrom(typeof(AggregatedDiscoveryService.AggregatedDiscoveryServiceClient)));

    private sealed class Ads : AggregatedDiscoveryService.AggregatedDiscoveryServiceBase;

    private sealed class Csds : ClientStatusDiscoveryService.ClientStatusDiscoveryServiceBase;

    private sealed class RecordingBinder : ServiceBinderBase
    {
        public List<(string FullName, MethodType Type)> Methods { get; } = [];

        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, UnaryServerMethod<TRequest, TResponse>? handler) =>
            Methods.Add((method.FullName, method.Type));

        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, DuplexStreamingServerMethod<TRequest, TResponse>? handler) =>
            Methods.Add((method.FullName, method.Type));

        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, ClientStreamingServerMethod<TRequest, TResponse>? handler) =>
            Methods.Add((method.FullName, method.Type));

        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, ServerStreamingServerMethod<TRequest, TResponse>? handler) =>
            Methods.Add((method.FullName, method.Type));
    }
}
