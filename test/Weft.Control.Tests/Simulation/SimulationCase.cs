using Weft.Control.Model;
using Weft.Control.Tests.Support;

namespace Weft.Control.Tests.Simulation;

/// <summary>
/// One row of a simulation table: a call from a proxy (a sidecar in <c>default</c> unless given) and where Istio sends it.
/// <see cref="WaitingFor"/> names the generator feature a row needs that Weft does not have yet: such a row is skipped with
/// that reason, and its skip message says so once it passes (then delete the mark).
/// </summary>
internal sealed record SimulationCase(string Name, Call Call, Expect Expect)
{
    public Func<TestMesh, ProxyNode>? Proxy { get; init; }

    /// <summary>The listeners a proxyless client asks for.</summary>
    public string[] Listeners { get; init; } = [];

    public string? WaitingFor { get; init; }

    public override string ToString() => Name;

    /// <summary>Runs the row against a mesh: fails with the path the call took when it lands elsewhere.</summary>
    public void Run(TestMesh mesh)
    {
        var proxy = (Proxy ?? (m => m.Sidecar()))(mesh);
        var result = new Simulator(mesh.Resources(proxy, Listeners)).Run(Call);
        var problems = Expect.Mismatches(result);
        if (WaitingFor is not null)
        {
            Skip.If(true, problems.Count == 0
                ? $"PASSES NOW: delete its WaitingFor (\"{WaitingFor}\")"
                : $"waiting for {WaitingFor} ({string.Join("; ", problems)})");
        }

        Assert.True(problems.Count == 0, $"{Name}\n  {string.Join("\n  ", problems)}\n  path taken: {result}");
    }
}
