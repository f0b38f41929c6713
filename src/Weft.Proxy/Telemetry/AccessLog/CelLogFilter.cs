using Weft.Proxy.Telemetry.Expressions;

namespace Weft.Proxy.Telemetry.AccessLog;

/// <summary>
/// Envoy's CEL extension filter (Istio's Telemetry <c>accessLogging[].filter.expression</c>): the expression must be
/// boolean true; an evaluation error (a missing attribute or key, a type mismatch) or another value does not match.
/// </summary>
internal sealed class CelLogFilter(CelExpression expression) : AccessLogFilter
{
    public CelExpression Expression => expression;

    public override bool UsesAttributes => true;

    public override bool Matches(in AccessLogFacts facts) => facts.Attributes is { } attributes && expression.IsTrue(attributes);
}
