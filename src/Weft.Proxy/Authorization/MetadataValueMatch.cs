using Weft.Xds.Envoy.Type.Matcher.V3;

namespace Weft.Proxy.Authorization;

/// <summary>Envoy's <c>MetadataMatcher</c>: the value at a key path of a filter's dynamic metadata, optionally inverted.</summary>
internal sealed class MetadataValueMatch
{
    private readonly string _filter;
    private readonly string[] _path;
    private readonly ValueMatch _value;
    private readonly bool _invert;

    private MetadataValueMatch(string filter, string[] path, ValueMatch value, bool invert)
    {
        _filter = filter;
        _path = path;
        _value = value;
        _invert = invert;
    }

    public static MetadataValueMatch Compile(MetadataMatcher matcher) =>
        new(matcher.Filter, matcher.Path.Select(p => p.Key).ToArray(), ValueMatch.Compile(matcher.Value), matcher.Invert);

    public bool Matches(DynamicMetadata metadata) => _value.Matches(metadata.Find(_filter, _path)) != _invert;
}
