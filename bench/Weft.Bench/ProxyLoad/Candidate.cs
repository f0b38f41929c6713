using System.Diagnostics;

namespace Weft.Bench.ProxyLoad;

/// <summary>
/// One thing the load goes through: nothing (direct to the backend), nginx, haproxy or weft proxy. It knows the address
/// the load tools aim at, the Host header they send, and the processes whose CPU and memory count as its cost.
/// </summary>
internal sealed class Candidate : IAsyncDisposable
{
    private readonly List<Process> _owned;
    private readonly Func<IReadOnlyList<int>> _measured;

    public Candidate(string name, string address, string host, List<Process> owned, Func<IReadOnlyList<int>> measured)
    {
        Name = name;
        Address = address;
        Host = host;
        _owned = owned;
        _measured = measured;
    }

    public string Name { get; }

    /// <summary>Where the load tools connect (HOST:PORT).</summary>
    public string Address { get; }

    /// <summary>The Host header requests carry (what a proxy routes by).</summary>
    public string Host { get; }

    /// <summary>The processes whose CPU time and resident memory are this candidate's cost (none for direct).</summary>
    public IReadOnlyList<int> MeasuredPids => _measured();

    public async ValueTask DisposeAsync()
    {
        foreach (var process in Enumerable.Reverse(_owned))
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
            }

            process.Dispose();
        }
    }
}
