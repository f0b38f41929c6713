namespace Weft.Proxy.Telemetry.AccessLog;

/// <summary>Envoy's <c>and_filter</c>: every filter matches, tried in order until one does not.</summary>
internal sealed class AndLogFilter(AccessLogFilter[] filters) : AccessLogFilter
{
    public override bool UsesAttributes { get; } = filters.Any(f => f.UsesAttributes);

    public override bool Matches(in AccessLogFacts facts)
    {
        foreach (var filter in filters)
        {
            if (!filter.Matches(facts))
            {
                return false;
            }
        }

        return true;
    }
}
