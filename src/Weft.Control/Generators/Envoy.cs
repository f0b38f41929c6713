using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Weft.Xds.Envoy.Config.Core.V3;
using Weft.Xds.Envoy.Config.Listener.V3;

namespace Weft.Control.Generators;

/// <summary>Small constructors for Envoy messages that every generator writes the same way.</summary>
internal static class Envoy
{
    public static Address SocketAddress(string ip, int port) => new()
    {
        SocketAddress = new SocketAddress { Address = ip, PortValue = (uint)port },
    };

    public static Address UnixAddress(string path) => new() { Pipe = new Pipe { Path = path } };

    /// <summary>An address from a workload address: IP or host name with a port, or <c>unix://path</c>.</summary>
    public static Address EndpointAddress(string address, int port) =>
        address.StartsWith("unix://", StringComparison.Ordinal) ? UnixAddress(address["unix://".Length..]) : SocketAddress(address, port);

    /// <summary>Resources of this type come over the same ADS stream.</summary>
    public static ConfigSource Ads() => new() { Ads = new AggregatedConfigSource(), ResourceApiVersion = ApiVersion.V3 };

    /// <summary>An ADS config source that does not wait for its resources during initialisation (Istio's EDS setting).</summary>
    public static ConfigSource AdsNoWait() => new()
    {
        Ads = new AggregatedConfigSource(),
        ResourceApiVersion = ApiVersion.V3,
        InitialFetchTimeout = new Duration(),
    };

    public static Duration Duration(TimeSpan value) => Google.Protobuf.WellKnownTypes.Duration.FromTimeSpan(value);

    public static Filter NetworkFilter(string name, IMessage config) => new() { Name = name, TypedConfig = Any.Pack(config) };

    public static TransportSocket TransportSocket(string name, IMessage config) => new() { Name = name, TypedConfig = Any.Pack(config) };

    public static Struct Struct(params (string Key, Value Value)[] fields)
    {
        var s = new Struct();
        foreach (var (key, value) in fields)
        {
            s.Fields[key] = value;
        }

        return s;
    }
}
