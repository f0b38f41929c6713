using Google.Protobuf;
using Google.Protobuf.Collections;
using Google.Protobuf.WellKnownTypes;
using Weft.Proxy.Xds;
using Weft.Xds;
using Weft.Xds.Envoy.Config.Route.V3;
using Weft.Xds.Envoy.Extensions.Filters.Http.Fault.V3;
using EnvoyCorsPolicy = Weft.Xds.Envoy.Extensions.Filters.Http.Cors.V3.CorsPolicy;

namespace Weft.Proxy.Snapshot.Filters;

/// <summary>
/// A level's <c>typed_per_filter_config</c> (route, virtual host or route configuration), keyed by HTTP filter name:
/// fault overrides (<c>HTTPFault</c>) and CORS policies. A <c>FilterConfig</c> wrapper may disable (or enable) the
/// filter at that level, or mark a config optional so that an unknown type is skipped; any other type is refused,
/// since the filter it configures is not one this proxy runs.
/// </summary>
internal sealed class FilterOverrides
{
    public static readonly FilterOverrides None = new(new Dictionary<string, Entry>(StringComparer.Ordinal));

    private readonly IReadOnlyDictionary<string, Entry> _byFilter;

    private FilterOverrides(IReadOnlyDictionary<string, Entry> byFilter) => _byFilter = byFilter;

    public static FilterOverrides Compile(MapField<string, Any> configs)
    {
        if (configs.Count == 0)
        {
            return None;
        }

        var byFilter = new Dictionary<string, Entry>(StringComparer.Ordinal);
        foreach (var (name, any) in configs)
        {
            byFilter[name] = any.TypeUrl == TypeUrls.RouteFilterConfig
                ? Wrapped(name, Unpack<FilterConfig>(name, any))
                : new Entry(Compile(name, any, optional: false), null);
        }

        return new FilterOverrides(byFilter);
    }

    /// <summary>The config for a filter at this level: a <see cref="FaultPolicy"/>, a <see cref="CorsPolicyModel"/>, or null.</summary>
    public object? Config(string filterName) => _byFilter.GetValueOrDefault(filterName)?.Config;

    /// <summary>Whether a <c>FilterConfig</c> at this level disables (true) or enables (false) the filter; null when it says nothing.</summary>
    public bool? Disabled(string filterName) => _byFilter.GetValueOrDefault(filterName)?.Disabled;

    private static Entry Wrapped(string name, FilterConfig wrapper) =>
        new(wrapper.Disabled || wrapper.Config is null ? null : Compile(name, wrapper.Config, wrapper.IsOptional), wrapper.Disabled);

    private static object? Compile(string name, Any any, bool optional)
    {
        switch (any.TypeUrl)
        {
            case TypeUrls.HttpFault:
                return FaultPolicy.Compile(Unpack<HTTPFault>(name, any));
            case TypeUrls.CorsPolicy:
                return CorsPolicyModel.Compile(Unpack<EnvoyCorsPolicy>(name, any));
            default:
                if (optional)
                {
                    return null;
                }

                throw new XdsRejectedException($"typed_per_filter_config for {name} has type {any.TypeUrl}, which this proxy cannot apply (it runs the fault and CORS filters)");
        }
    }

    private static T Unpack<T>(string name, Any any)
        where T : class, IMessage<T>, new()
    {
        try
        {
            return any.Unpack<T>();
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new XdsRejectedException($"typed_per_filter_config for {name} does not decode: {e.Message}");
        }
    }

    private sealed record Entry(object? Config, bool? Disabled);
}
