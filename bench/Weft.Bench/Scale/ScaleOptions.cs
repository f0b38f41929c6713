using System.Globalization;

namespace Weft.Bench.Scale;

/// <summary>The size and bounds of one scale run, from <c>scale [--services N] [--clients N] ...</c>.</summary>
internal sealed record ScaleOptions
{
    public const string Usage = "scale [--services 1000] [--clients 1000] [--namespaces 10] [--changes 20] [--baseline-clients 100] "
        + "[--verify-every 50] [--timeout 900] [--deadline 7200] [--max-heap-mb 10240] [--in-process] [--keep DIR] [--no-floor] [--no-generation-baseline]";

    public int Services { get; init; } = 1000;

    public int Clients { get; init; } = 1000;

    public int Namespaces { get; init; } = 10;

    /// <summary>How many one-file changes are timed.</summary>
    public int Changes { get; init; } = 20;

    /// <summary>The size of the smaller wave run as a scaling baseline; 0 for none.</summary>
    public int BaselineClients { get; init; } = 100;

    /// <summary>Every N-th client decodes its routes in full so the changed weights can be checked; 1 checks all.</summary>
    public int VerifyEvery { get; init; } = 50;

    /// <summary>The longest any one wait (a wave converging, a change acknowledged) may take.</summary>
    public TimeSpan WaitTimeout { get; init; } = TimeSpan.FromSeconds(900);

    /// <summary>The whole run stops after this.</summary>
    public TimeSpan Deadline { get; init; } = TimeSpan.FromHours(2);

    /// <summary>
    /// The control plane child's GC heap limit (<c>DOTNET_GCHeapHardLimit</c>, as a container memory limit sets it), so a
    /// run that needs far more memory than the goal stops with an out-of-memory error instead of exhausting a shared
    /// machine; the run also stops if the child's working set passes twice this. 0 for no limit.
    /// </summary>
    public int MaxHeapMb { get; init; } = 10 * 1024;

    /// <summary>Run the control plane in this process instead of a child (its memory then includes the clients').</summary>
    public bool InProcess { get; init; }

    /// <summary>Write the configuration here and keep it; by default a temporary directory, deleted afterwards.</summary>
    public string? Directory { get; init; }

    /// <summary>
    /// Also measure the transport floor: the same waves and as many pushes, served prebuilt responses by a replay server
    /// (<see cref="ReplayAgent"/>) in place of the control plane, so the report can say how far above moving the bytes the
    /// control plane is.
    /// </summary>
    public bool Floor { get; init; } = true;

    /// <summary>Also time generation alone, in this process, as the baseline of the full push.</summary>
    public bool GenerationBaseline { get; init; } = true;

    public static ScaleOptions Parse(IReadOnlyList<string> args)
    {
        var options = new ScaleOptions();
        for (var i = 0; i < args.Count; i++)
        {
            options = args[i] switch
            {
                "--services" => options with { Services = Number(args, ++i) },
                "--clients" => options with { Clients = Number(args, ++i) },
                "--namespaces" => options with { Namespaces = Number(args, ++i) },
                "--changes" => options with { Changes = Number(args, ++i) },
                "--baseline-clients" => options with { BaselineClients = Number(args, ++i) },
                "--verify-every" => options with { VerifyEvery = Math.Max(1, Number(args, ++i)) },
                "--timeout" => options with { WaitTimeout = TimeSpan.FromSeconds(Number(args, ++i)) },
                "--deadline" => options with { Deadline = TimeSpan.FromSeconds(Number(args, ++i)) },
                "--max-heap-mb" => options with { MaxHeapMb = Number(args, ++i) },
                "--in-process" => options with { InProcess = true },
                "--keep" => options with { Directory = Value(args, ++i) },
                "--no-generation-baseline" => options with { GenerationBaseline = false },
                "--floor" => options with { Floor = true },
                "--no-floor" => options with { Floor = false },
                _ => throw new ArgumentException($"unknown option \"{args[i]}\"; usage: {Usage}"),
            };
        }

        return options;
    }

    private static string Value(IReadOnlyList<string> args, int i) =>
        i < args.Count ? args[i] : throw new ArgumentException($"{args[i - 1]} needs a value; usage: {Usage}");

    private static int Number(IReadOnlyList<string> args, int i) =>
        int.TryParse(Value(args, i), NumberStyles.None, CultureInfo.InvariantCulture, out var n)
            ? n
            : throw new ArgumentException($"{args[i - 1]} needs a whole number, not \"{args[i]}\"");
}
