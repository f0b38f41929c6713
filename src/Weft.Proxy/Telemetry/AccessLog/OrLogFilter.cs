namespace Weft.Proxy.Telemetry.AccessLog;

/// <summary>Envoy's <c>or_filter</c>: one of the filters matches, tried in order until one does.</summary>
internal sealed class OrLogFilter(AccessLogFilter[] filters) : AccessLogFilter
{
    public override bool UsesAttributes { get; } = filters.Any(f => f.UsesAttributes);

    public override bool Matches(in AccessLogFacts facts)
    {
        foreach (var filter in filters)
        {
            if (filter.Matches(facts))
            {
                return true;
            }
        }

        return false;
    }
}
