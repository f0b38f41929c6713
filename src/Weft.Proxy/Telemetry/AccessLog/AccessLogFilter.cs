using Google.Protobuf;
using Weft.Proxy.Telemetry.Expressions;
using Weft.Xds;
using XdsFilter = Weft.Xds.Envoy.Config.AccessLog.V3.AccessLogFilter;

namespace Weft.Proxy.Telemetry.AccessLog;

/// <summary>
/// Envoy's access log filter, decided per entry: an entry is written only when its log's filter matches. Built once
/// from xDS; the kinds are Envoy's response flag, status code, and, or, and the CEL extension filter.
/// </summary>
internal abstract class AccessLogFilter
{
    /// <summary>The name Envoy registers the CEL filter under.</summary>
    public const string CelExtension = "envoy.access_loggers.extension_filters.cel";

    /// <summary>Whether the filter reads <see cref="AccessLogFacts.Attributes"/>; when none does, they are never bound.</summary>
    public abstract bool UsesAttributes { get; }

    public abstract bool Matches(in AccessLogFacts facts);

    /// <summary>
    /// The filter an xDS <c>filter</c> describes. A kind this proxy does not apply, an extension of another name or type,
    /// or an expression that does not parse is a <see cref="FormatException"/>: the resource is refused, as Envoy refuses it.
    /// </summary>
    public static AccessLogFilter FromXds(XdsFilter filter) => filter.FilterSpecifierCase switch
    {
        XdsFilter.FilterSpecifierOneofCase.ResponseFlagFilter => new ResponseFlagLogFilter(filter.ResponseFlagFilter.Flags),
        XdsFilter.FilterSpecifierOneofCase.StatusCodeFilter => StatusCodeLogFilter.FromXds(filter.StatusCodeFilter),
        XdsFilter.FilterSpecifierOneofCase.AndFilter => new AndLogFilter(Children(filter.AndFilter.Filters, "and_filter")),
        XdsFilter.FilterSpecifierOneofCase.OrFilter => new OrLogFilter(Children(filter.OrFilter.Filters, "or_filter")),
        XdsFilter.FilterSpecifierOneofCase.ExtensionFilter => Extension(filter.ExtensionFilter),
        XdsFilter.FilterSpecifierOneofCase.None => throw new FormatException("an access log filter names no kind"),
        var other => throw new FormatException($"the access log filter {other} is not one this proxy applies"),
    };

    private static AccessLogFilter[] Children(IReadOnlyCollection<XdsFilter> filters, string kind) =>
        filters.Count >= 2 ? filters.Select(FromXds).ToArray() : throw new FormatException($"an {kind} needs at least two filters");

    private static CelLogFilter Extension(Weft.Xds.Envoy.Config.AccessLog.V3.ExtensionFilter extension)
    {
        if (extension.Name != CelExtension)
        {
            throw new FormatException($"the access log extension filter {extension.Name} is not supported (only {CelExtension} is)");
        }

        if (extension.TypedConfig is not { TypeUrl: TypeUrls.CelAccessLogFilter } any)
        {
            throw new FormatException($"the access log extension filter {CelExtension} has type {extension.TypedConfig?.TypeUrl ?? "(none)"}, not {TypeUrls.CelAccessLogFilter}");
        }

        Weft.Xds.Envoy.Extensions.AccessLoggers.Filters.Cel.V3.ExpressionFilter config;
        try
        {
            config = any.Unpack<Weft.Xds.Envoy.Extensions.AccessLoggers.Filters.Cel.V3.ExpressionFilter>();
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new FormatException($"the CEL access log filter does not decode: {e.Message}", e);
        }

        return new CelLogFilter(CelExpression.Parse(config.Expression));
    }
}
