using Google.Protobuf.WellKnownTypes;
using Weft.Xds.Envoy.Config.Core.V3;

namespace Weft.Control.Generators.Listeners;

/// <summary>The <c>istio</c> filter metadata Istio attaches to chains built from a resource, so a config dump names its source.</summary>
internal static class IstioMetadata
{
    public const string Key = "istio";

    /// <summary><c>istio.config</c> = the resource path (<c>/apis/networking.istio.io/v1/namespaces/NS/KIND/NAME</c>).</summary>
    public static Metadata Config(string configPath)
    {
        var metadata = new Metadata();
        metadata.FilterMetadata[Key] = Envoy.Struct(("config", Value.ForString(configPath)));
        return metadata;
    }
}
