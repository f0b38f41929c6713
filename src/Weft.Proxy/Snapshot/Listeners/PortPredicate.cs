using Weft.Proxy.Xds;
using Weft.Xds.Envoy.Config.Listener.V3;
using Rule = Weft.Xds.Envoy.Config.Listener.V3.ListenerFilterChainMatchPredicate.RuleOneofCase;

namespace Weft.Proxy.Snapshot.Listeners;

/// <summary>
/// A compiled <c>ListenerFilterChainMatchPredicate</c> (a listener filter's <c>filter_disabled</c>): true for the
/// connections the filter skips. Only the destination port is known when it is evaluated, which is all Envoy's
/// predicate can ask about.
/// </summary>
internal abstract record PortPredicate
{
    /// <summary>A filter without <c>filter_disabled</c> is never off.</summary>
    public static readonly PortPredicate Never = new NoPort();

    public abstract bool Matches(int port);

    public static PortPredicate Compile(ListenerFilterChainMatchPredicate predicate) => predicate.RuleCase switch
    {
        Rule.AnyMatch when predicate.AnyMatch => new AnyPort(),
        Rule.DestinationPortRange => new PortRange(predicate.DestinationPortRange.Start, predicate.DestinationPortRange.End),
        Rule.NotMatch => new NotPort(Compile(predicate.NotMatch)),
        Rule.OrMatch => new AnyOf(Rules(predicate.OrMatch), Any: true),
        Rule.AndMatch => new AnyOf(Rules(predicate.AndMatch), Any: false),
        _ => throw new XdsRejectedException("a filter_disabled predicate has no rule"),
    };

    private static PortPredicate[] Rules(ListenerFilterChainMatchPredicate.Types.MatchSet set)
    {
        if (set.Rules.Count < 2)
        {
            throw new XdsRejectedException("an or_match or and_match predicate needs at least two rules");
        }

        return set.Rules.Select(Compile).ToArray();
    }

    private sealed record NoPort : PortPredicate
    {
        public override bool Matches(int port) => false;
    }

    private sealed record AnyPort : PortPredicate
    {
        public override bool Matches(int port) => true;
    }

    /// <summary>Envoy's <c>Int32Range</c>: start included, end excluded.</summary>
    private sealed record PortRange(int Start, int End) : PortPredicate
    {
        public override bool Matches(int port) => port >= Start && port < End;
    }

    private sealed record NotPort(PortPredicate Inner) : PortPredicate
    {
        public override bool Matches(int port) => !Inner.Matches(port);
    }

    private sealed record AnyOf(PortPredicate[] Inner, bool Any) : PortPredicate
    {
        public override bool Matches(int port) => Any ? Inner.Any(r => r.Matches(port)) : Inner.All(r => r.Matches(port));
    }
}
