using System.Text;

namespace Weft.Control.Tests.Simulation;

/// <summary>A cluster a route or TCP proxy sends to, with its weight (1 when it is the only one).</summary>
internal sealed record Destination(string Cluster, uint Weight);

/// <summary>
/// Where a simulated call landed: each step Envoy took (listener, filter chain, route configuration, virtual host, route)
/// and what the route did (clusters, a redirect or a direct response), or the <see cref="Failure"/> that stopped it.
/// </summary>
internal sealed record SimulationResult
{
    public string? Listener { get; init; }

    public string? FilterChain { get; init; }

    public string? RouteConfig { get; init; }

    public string? VirtualHost { get; init; }

    public string? Route { get; init; }

    /// <summary>Every cluster of the action, with the weights as configured (a single cluster has weight 1).</summary>
    public IReadOnlyList<Destination> Destinations { get; init; } = [];

    /// <summary>The cluster when the action names exactly one.</summary>
    public string? Cluster => Destinations.Count == 1 ? Destinations[0].Cluster : null;

    /// <summary>The status of a redirect or direct response.</summary>
    public int? Status { get; init; }

    /// <summary>The <c>location</c> of a redirect.</summary>
    public string? Location { get; init; }

    /// <summary>The body of a direct response.</summary>
    public string? Body { get; init; }

    /// <summary>Endpoint addresses (<c>IP:PORT</c>, or a pipe path) of each destination cluster.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> Endpoints { get; init; } = new Dictionary<string, IReadOnlyList<string>>();

    public Failure Failure { get; init; }

    /// <summary>What went wrong, in a sentence, when <see cref="Failure"/> is set.</summary>
    public string? Reason { get; init; }

    public SimulationResult Fail(Failure failure, string reason) => this with { Failure = failure, Reason = reason };

    /// <summary>The path through the configuration, for assertion messages.</summary>
    public override string ToString()
    {
        var text = new StringBuilder();
        Step(text, "listener", Listener);
        Step(text, "chain", FilterChain);
        Step(text, "route config", RouteConfig);
        Step(text, "vhost", VirtualHost);
        Step(text, "route", Route);
        if (Destinations.Count > 0)
        {
            Step(text, "clusters", string.Join(", ", Destinations.Select(d => Destinations.Count == 1 ? d.Cluster : $"{d.Cluster}={d.Weight}")));
        }

        Step(text, "status", Status?.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Step(text, "location", Location);
        if (Failure != Failure.None)
        {
            Step(text, "FAILED", $"{Failure}: {Reason}");
        }

        return text.ToString();
    }

    private static void Step(StringBuilder text, string what, string? value)
    {
        if (value is not null)
        {
            text.Append(text.Length == 0 ? string.Empty : " > ").Append(what).Append(' ').Append(value);
        }
    }
}
