using Weft.Xds.Envoy.Config.AccessLog.V3;

namespace Weft.Proxy.Telemetry.AccessLog;

/// <summary>Envoy's <c>status_code_filter</c>: the response code (0 when none was sent) compared with a number.</summary>
internal sealed class StatusCodeLogFilter(ComparisonFilter.Types.Op op, uint value) : AccessLogFilter
{
    public override bool UsesAttributes => false;

    public static StatusCodeLogFilter FromXds(StatusCodeFilter filter)
    {
        var comparison = filter.Comparison ?? throw new FormatException("a status_code_filter has no comparison");
        if (!Enum.IsDefined(comparison.Op))
        {
            throw new FormatException($"a status_code_filter has an unknown comparison {(int)comparison.Op}");
        }

        return new StatusCodeLogFilter(comparison.Op, comparison.Value?.DefaultValue ?? 0);
    }

    public override bool Matches(in AccessLogFacts facts)
    {
        var code = (uint)Math.Max(facts.ResponseCode, 0);
        return op switch
        {
            ComparisonFilter.Types.Op.Eq => code == value,
            ComparisonFilter.Types.Op.Ge => code >= value,
            ComparisonFilter.Types.Op.Le => code <= value,
            ComparisonFilter.Types.Op.Ne => code != value,
            _ => false,
        };
    }
}
