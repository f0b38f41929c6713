using System.Collections.Concurrent;
using Weft.Api.Documents;

namespace Weft.Api.Schema.Cel;

/// <summary>
/// Evaluates x-kubernetes-validations rules as the Kubernetes API server does: the rule is a CEL expression
/// with <c>self</c> bound to the value the rule is attached to, and it must produce a bool. Each distinct
/// rule text is compiled once and cached; instances are thread-safe.
/// </summary>
public sealed class CelRuleEvaluator : ICelRuleEvaluator
{
    // Rules come from CRDs, so the set is small; the bound only guards against callers passing arbitrary text.
    private const int MaxCachedRules = 4096;

    private readonly ConcurrentDictionary<string, Compilation> _compiled = new(StringComparer.Ordinal);

    public CelOutcome Evaluate(CelRule rule, Node self)
    {
        ArgumentNullException.ThrowIfNull(rule);
        return Evaluate(rule.Rule, self);
    }

    /// <summary>Evaluates a rule expression with <c>self</c> bound to <paramref name="self"/>.</summary>
    public CelOutcome Evaluate(string expression, Node self)
    {
        ArgumentNullException.ThrowIfNull(expression);
        ArgumentNullException.ThrowIfNull(self);
        var compilation = Compile(expression);

        // Kubernetes validates only non-null values: a rule on a nullable field says nothing about null.
        if (self is ScalarNode { IsNull: true } && compilation.Program is not null)
        {
            return CelOutcome.Passed;
        }

        if (compilation.Program is null)
        {
            return CelOutcome.Fault("compilation failed: " + compilation.Error);
        }

        return compilation.Program.Evaluate(self) switch
        {
            CelBool result => result.Value ? CelOutcome.Passed : CelOutcome.Failed,
            CelError error => CelOutcome.Fault(error.Message),
            var other => CelOutcome.Fault($"rule evaluated to a {other.Type.Name}, not a bool"),
        };
    }

    /// <summary>Null when <paramref name="expression"/> compiles; otherwise why not (syntax, or a construct not supported).</summary>
    public string? CompileError(string expression)
    {
        ArgumentNullException.ThrowIfNull(expression);
        return Compile(expression).Error;
    }

    private Compilation Compile(string expression)
    {
        if (_compiled.TryGetValue(expression, out var cached))
        {
            return cached;
        }

        Compilation compilation;
        try
        {
            compilation = new Compilation(CelProgram.Compile(expression), null);
        }
        catch (CelCompileException e)
        {
            compilation = new Compilation(null, e.Describe());
        }

        if (_compiled.Count < MaxCachedRules)
        {
            compilation = _compiled.GetOrAdd(expression, compilation);
        }

        return compilation;
    }

    private sealed record Compilation(CelProgram? Program, string? Error);
}
