using System.Collections.Frozen;

namespace Weft.Proxy.Telemetry.AccessLog;

/// <summary>Envoy's <c>response_flag_filter</c>: entries with one of its flags, or, when it lists none, with any flag.</summary>
internal sealed class ResponseFlagLogFilter(IEnumerable<string> flags) : AccessLogFilter
{
    private readonly FrozenSet<string> _flags = flags.ToFrozenSet(StringComparer.Ordinal);

    public override bool UsesAttributes => false;

    public override bool Matches(in AccessLogFacts facts)
    {
        if (facts.Flags.Length == 0)
        {
            return false;
        }

        if (_flags.Count == 0)
        {
            return true;
        }

        foreach (var range in facts.Flags.AsSpan().Split(','))
        {
            if (_flags.GetAlternateLookup<ReadOnlySpan<char>>().Contains(facts.Flags.AsSpan()[range]))
            {
                return true;
            }
        }

        return false;
    }
}
