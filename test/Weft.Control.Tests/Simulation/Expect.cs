namespace Weft.Control.Tests.Simulation;

/// <summary>
/// The parts of a <see cref="SimulationResult"/> a test asserts. Unset parts are not checked, except <see cref="Failure"/>,
/// which is <see cref="Failure.None"/> unless the test expects one.
/// </summary>
internal sealed record Expect
{
    public string? Listener { get; init; }

    public string? FilterChain { get; init; }

    public string? RouteConfig { get; init; }

    public string? VirtualHost { get; init; }

    public string? Route { get; init; }

    /// <summary>The only cluster.</summary>
    public string? Cluster { get; init; }

    /// <summary>Every cluster with its weight, in order.</summary>
    public Destination[]? Weighted { get; init; }

    public Failure Failure { get; init; }

    public int? Status { get; init; }

    public string? Location { get; init; }

    public string? Body { get; init; }

    /// <summary>The endpoints of the only cluster, in order.</summary>
    public string[]? Endpoints { get; init; }

    /// <summary>What differs between this expectation and the result, one line each.</summary>
    public IReadOnlyList<string> Mismatches(SimulationResult result)
    {
        var problems = new List<string>();
        Compare(problems, "listener", Listener, result.Listener);
        Compare(problems, "filter chain", FilterChain, result.FilterChain);
        Compare(problems, "route config", RouteConfig, result.RouteConfig);
        Compare(problems, "virtual host", VirtualHost, result.VirtualHost);
        Compare(problems, "route", Route, result.Route);
        Compare(problems, "cluster", Cluster, result.Cluster);
        if (Weighted is not null && !Weighted.SequenceEqual(result.Destinations))
        {
            problems.Add($"clusters: expected {string.Join(", ", Weighted.Select(d => $"{d.Cluster}={d.Weight}"))}, got {string.Join(", ", result.Destinations.Select(d => $"{d.Cluster}={d.Weight}"))}");
        }

        if (Failure != result.Failure)
        {
            problems.Add($"failure: expected {Failure}, got {result.Failure}{(result.Reason is null ? string.Empty : $" ({result.Reason})")}");
        }

        Compare(problems, "status", Status?.ToString(System.Globalization.CultureInfo.InvariantCulture), result.Status?.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Compare(problems, "location", Location, result.Location);
        Compare(problems, "body", Body, result.Body);
        if (Endpoints is not null)
        {
            var actual = result.Cluster is { } cluster && result.Endpoints.TryGetValue(cluster, out var list) ? list : [];
            if (!Endpoints.SequenceEqual(actual))
            {
                problems.Add($"endpoints: expected [{string.Join(", ", Endpoints)}], got [{string.Join(", ", actual)}]");
            }
        }

        return problems;
    }

    private static void Compare(List<string> problems, string what, string? expected, string? actual)
    {
        if (expected is not null && expected != actual)
        {
            problems.Add($"{what}: expected {expected}, got {actual ?? "(none)"}");
        }
    }
}
