using System.Globalization;
using Google.Protobuf;
using Weft.Proxy.Telemetry.Expressions;
using Weft.Xds.Istio.Stats;

namespace Weft.Proxy.Telemetry.Metrics;

/// <summary>Istio's standard metrics, by their names without the <c>istio_</c> prefix.</summary>
internal enum IstioMetric
{
    RequestsTotal,
    RequestDurationMilliseconds,
    RequestBytes,
    ResponseBytes,
    RequestMessagesTotal,
    ResponseMessagesTotal,
    TcpConnectionsOpenedTotal,
    TcpConnectionsClosedTotal,
    TcpReceivedBytesTotal,
    TcpSentBytesTotal,
}

/// <summary>
/// Istio's stats filter (<c>istio.stats</c>, <c>stats.PluginConfig</c>) as a connection manager or TCP filter chain
/// carries it: requests and connections are counted in Istio's standard metrics only where the filter is, and its
/// overrides shape each metric as istio/proxy's filter does:
/// <list type="bullet">
/// <item><c>drop</c> leaves a standard metric out;</item>
/// <item><c>tags_to_remove</c> leaves standard labels out (other names are ignored);</item>
/// <item><c>dimensions</c>, in label name order, give a standard label the value of a CEL expression in its place, or add
/// a label after the standard ones. An expression that fails to evaluate gives <c>unknown</c>; one that does not parse
/// removes the standard label it was for, and adds nothing.</item>
/// </list>
/// An override names one metric, or all of them with an empty name. Series whose labels come out equal are one series.
/// Equal configurations compare equal (by their encoding), so series outlive configuration pushes that change nothing.
/// Custom metric <c>definitions</c> are refused: istiod never sends them, and this proxy does not create metrics.
/// </summary>
internal sealed class StatsConfig : IEquatable<StatsConfig>
{
    private static readonly string[] Names =
    [
        "requests_total", "request_duration_milliseconds", "request_bytes", "response_bytes", "request_messages_total",
        "response_messages_total", "tcp_connections_opened_total", "tcp_connections_closed_total", "tcp_received_bytes_total",
        "tcp_sent_bytes_total",
    ];

    private static readonly HashSet<string> StandardTags = new(StandardLabels.HttpNames, StringComparer.Ordinal);

    // After the tables above: static fields initialise in order.
    /// <summary>The filter with nothing overridden, as istiod sends it by default.</summary>
    public static StatsConfig Standard { get; } = new(new PluginConfig());

    /// <summary>Per metric: null when it is standard, else what the overrides make of it.</summary>
    private readonly MetricShape?[] _shapes = new MetricShape?[Names.Length];
    private readonly string _key;
    private readonly int _hash;

    private StatsConfig(PluginConfig config)
    {
        _key = Convert.ToBase64String(config.ToByteArray());
        _hash = StringComparer.Ordinal.GetHashCode(_key);
        DisableHostHeaderFallback = config.DisableHostHeaderFallback;
        ReportingInterval = config.TcpReportingDuration?.ToTimeSpan();
        var expressions = new List<CelExpression>();
        foreach (var metric in config.Metrics)
        {
            var standard = Array.IndexOf(Names, metric.Name);
            if (metric.Drop)
            {
                if (standard >= 0)
                {
                    Shape(standard).Drop = true;
                }

                continue;
            }

            int[] targets = metric.Name.Length == 0 ? Enumerable.Range(0, Names.Length).ToArray() : standard >= 0 ? [standard] : [];
            foreach (var tag in metric.TagsToRemove.Where(StandardTags.Contains))
            {
                foreach (var target in targets)
                {
                    Shape(target).Overrides[tag] = MetricShape.Removed;
                }
            }

            foreach (var (tag, text) in metric.Dimensions.OrderBy(d => d.Key, StringComparer.Ordinal))
            {
                var index = Expression(expressions, text);
                foreach (var target in targets)
                {
                    var shape = Shape(target);
                    if (StandardTags.Contains(tag))
                    {
                        shape.Overrides[tag] = index ?? MetricShape.Removed;
                    }
                    else if (index is { } added)
                    {
                        shape.Additions.RemoveAll(a => a.Tag == tag);
                        shape.Additions.Add((tag, added));
                    }
                }
            }
        }

        Expressions = expressions;
    }

    /// <summary>The filter's configuration; what this proxy cannot apply is an <see cref="FormatException"/>.</summary>
    public static StatsConfig Compile(PluginConfig config)
    {
        if (config.Definitions.Count > 0)
        {
            throw new FormatException($"custom metric definitions ({string.Join(", ", config.Definitions.Select(d => d.Name))}) are not supported");
        }

        return config.Metrics.Count == 0 && !config.DisableHostHeaderFallback && config.TcpReportingDuration is null ? Standard : new StatsConfig(config);
    }

    /// <summary>Whether <c>destination_service</c> may not come from the Host header (istiod: inbound and gateway listeners).</summary>
    public bool DisableHostHeaderFallback { get; }

    /// <summary><c>tcp_reporting_duration</c>: how often open connections and gRPC streams report; null for the proxy's default (5 s).</summary>
    public TimeSpan? ReportingInterval { get; }

    /// <summary>The distinct dimension expressions, evaluated once per request or connection (their values index by position).</summary>
    public IReadOnlyList<CelExpression> Expressions { get; }

    public bool Drops(IstioMetric metric) => _shapes[(int)metric]?.Drop == true;

    /// <summary>The values of <see cref="Expressions"/> for one request or connection, printed as labels.</summary>
    public ExpressionValues Evaluate(ICelActivation? activation)
    {
        if (Expressions.Count == 0)
        {
            return default;
        }

        var values = new string[Expressions.Count];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = activation is null ? StandardLabels.Unknown : Print(Expressions[i].Evaluate(activation));
        }

        return new ExpressionValues(values);
    }

    /// <summary>
    /// The rendered labels of <paramref name="metric"/> from its standard <paramref name="names"/> and
    /// <paramref name="values"/>, shaped by the overrides; null when the metric is dropped.
    /// </summary>
    public string? Labels(IstioMetric metric, string[] names, IReadOnlyList<string> values, in ExpressionValues expressionValues)
    {
        var shape = _shapes[(int)metric];
        if (shape is null)
        {
            return StandardLabels.Render(names, values);
        }

        if (shape.Drop)
        {
            return null;
        }

        var shapedNames = new List<string>(names.Length + shape.Additions.Count);
        var shapedValues = new List<string>(names.Length + shape.Additions.Count);
        for (var i = 0; i < names.Length; i++)
        {
            if (!shape.Overrides.TryGetValue(names[i], out var index))
            {
                shapedNames.Add(names[i]);
                shapedValues.Add(values[i]);
            }
            else if (index != MetricShape.Removed)
            {
                shapedNames.Add(names[i]);
                shapedValues.Add(expressionValues[index]);
            }
        }

        foreach (var (tag, index) in shape.Additions)
        {
            shapedNames.Add(tag);
            shapedValues.Add(expressionValues[index]);
        }

        return StandardLabels.Render(shapedNames, shapedValues);
    }

    /// <summary>A value as istio/proxy prints it into a label; an evaluation error is <c>unknown</c>.</summary>
    internal static string Print(CelValue value) => value.Kind switch
    {
        CelKind.String => value.AsString,
        CelKind.Bool => value.AsBool ? "true" : "false",
        CelKind.Int => value.AsInt.ToString(CultureInfo.InvariantCulture),
        CelKind.Uint => value.AsUint.ToString(CultureInfo.InvariantCulture),
        CelKind.Error => StandardLabels.Unknown,
        _ => value.ToString(),
    };

    private MetricShape Shape(int metric) => _shapes[metric] ??= new MetricShape();

    /// <summary>The index of an expression in <paramref name="expressions"/> (added if new); null when it does not parse.</summary>
    private static int? Expression(List<CelExpression> expressions, string text)
    {
        var existing = expressions.FindIndex(e => e.Text == text);
        if (existing >= 0)
        {
            return existing;
        }

        try
        {
            expressions.Add(CelExpression.Parse(text));
            return expressions.Count - 1;
        }
        catch (FormatException)
        {
            return null;
        }
    }

    // Part of every series key, so compared on every request: by reference first, then by the hash and encoding.
    public bool Equals(StatsConfig? other) => ReferenceEquals(this, other) || (other is not null && _hash == other._hash && _key == other._key);

    public override bool Equals(object? obj) => Equals(obj as StatsConfig);

    public override int GetHashCode() => _hash;

    private sealed class MetricShape
    {
        public const int Removed = -1;

        public bool Drop { get; set; }

        /// <summary>Standard label name to the index of its expression, or <see cref="Removed"/>.</summary>
        public Dictionary<string, int> Overrides { get; } = new(StringComparer.Ordinal);

        /// <summary>Labels added after the standard ones, in name order, with their expressions' indexes.</summary>
        public List<(string Tag, int Expression)> Additions { get; } = [];
    }
}

/// <summary>The printed values of a configuration's dimension expressions for one request or connection; compared by value.</summary>
internal readonly struct ExpressionValues(string[]? values) : IEquatable<ExpressionValues>
{
    public string this[int index] => values![index];

    public bool Equals(ExpressionValues other)
    {
        var theirs = other.Values;
        if (values is null || theirs is null)
        {
            return values is null && theirs is null;
        }

        return values.AsSpan().SequenceEqual(theirs);
    }

    private string[]? Values => values;

    public override bool Equals(object? obj) => obj is ExpressionValues other && Equals(other);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var value in values ?? [])
        {
            hash.Add(value, StringComparer.Ordinal);
        }

        return hash.ToHashCode();
    }
}
