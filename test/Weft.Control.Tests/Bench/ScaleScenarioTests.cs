using Weft.Bench.Scale;

namespace Weft.Control.Tests.Bench;

/// <summary>
/// The scale benchmark's twin (<c>dotnet run -c Release --project bench/Weft.Bench -- scale</c>): the same scenario, once,
/// small and with the control plane in this process. The scenario itself stops on any client that holds the wrong
/// clusters, endpoints, listeners or routes; these tests check that it ran to the end, that its checks covered every
/// client and that the report renders. No timing is asserted.
/// </summary>
public sealed class ScaleScenarioTests(ScaleScenarioTests.SmallRun run) : IClassFixture<ScaleScenarioTests.SmallRun>
{
    [Fact]
    public void Every_client_converges_in_every_wave()
    {
        var result = run.Result;

        // 20 ServiceEntries with 5 WorkloadEntries each, and a DestinationRule and a VirtualService for every second one.
        Assert.Equal((20 * 6) + (10 * 2), result.Resources);
        Assert.Equal(10, result.Cold.PerClientMs.Count);
        Assert.Equal(5, result.Baseline!.PerClientMs.Count);
        Assert.Equal(10, result.Warm.PerClientMs.Count);
    }

    [Fact]
    public void Every_change_reaches_every_affected_client_with_the_new_weights()
    {
        var changes = run.Result.Changes;

        Assert.Equal(2, changes.Count);
        Assert.NotEqual(changes[0].Service, changes[1].Service);
        Assert.True(changes[1].PushVersion > changes[0].PushVersion);
        Assert.All(changes, change =>
        {
            Assert.Equal(10, change.PerClientMs.Count);
            Assert.Equal(10, change.Verified);
        });
    }

    [Fact]
    public void The_transport_floor_serves_every_client_and_every_push()
    {
        Assert.Null(run.Result.FloorFailure);
        var floor = Assert.IsType<FloorResult>(run.Result.Floor);

        Assert.Equal(10, floor.Warm.PerClientMs.Count);
        Assert.Equal(2, floor.Changes.Count);
        Assert.All(floor.Changes, change => Assert.Equal(10, change.PerClientMs.Count));
    }

    [Fact]
    public void The_generation_baseline_generates_what_the_clients_received()
    {
        var generation = Assert.IsType<GenerationProfile>(run.Result.Generation);

        Assert.Equal(10, generation.Clients);

        // Per service a cluster, per routed service two subset clusters, three fixed and one inbound cluster.
        Assert.Equal((20 + (2 * 10) + 4, 20 + (2 * 10), 3, 1), generation.ResourcesPerClient);
    }

    [Fact]
    public void The_report_names_every_goal()
    {
        using var report = new StringWriter();
        ScaleReport.Write(run.Result, report);

        var text = report.ToString();
        Assert.Contains("full push to all", text, StringComparison.Ordinal);
        Assert.Contains("change to acknowledged", text, StringComparison.Ordinal);
        Assert.Contains("< 512 MB", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Options_read_the_command_line_and_refuse_what_they_do_not_know()
    {
        var options = ScaleOptions.Parse(["--services", "100", "--clients", "50", "--in-process"]);
        Assert.Equal(100, options.Services);
        Assert.Equal(50, options.Clients);
        Assert.True(options.InProcess);

        var error = Assert.Throws<ArgumentException>(() => ScaleOptions.Parse(["--service", "100"]));
        Assert.Contains("unknown option \"--service\"", error.Message, StringComparison.Ordinal);
    }

    /// <summary>One small run of the scenario, shared by the tests above.</summary>
    public sealed class SmallRun : IAsyncLifetime
    {
        internal ScaleResult Result { get; private set; } = null!;

        public async Task InitializeAsync() => Result = await ScaleScenario.RunAsync(new ScaleOptions
        {
            Services = 20,
            Clients = 10,
            Namespaces = 10,
            Changes = 2,
            BaselineClients = 5,
            VerifyEvery = 1,
            InProcess = true,
            WaitTimeout = TimeSpan.FromSeconds(60),
            Deadline = TimeSpan.FromMinutes(5),
        }, TextWriter.Null, CancellationToken.None);

        public Task DisposeAsync() => Task.CompletedTask;
    }
}
