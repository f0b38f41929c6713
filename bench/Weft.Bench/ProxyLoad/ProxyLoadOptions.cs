using System.Globalization;

namespace Weft.Bench.ProxyLoad;

/// <summary>The bounds of one proxy benchmark run, from <c>proxy [--duration 10] [--rate 1000] ...</c>.</summary>
internal sealed record ProxyLoadOptions
{
    public const string Usage = "proxy [--duration 10] [--warmup 2] [--connections 50] [--rate 1000] [--rate-clients 10] [--body 1024] "
        + "[--only direct,nginx,haproxy,yarp,weft,weft-concurrency-2,yarp-pair,yarp-pair-mtls,weft-pair,weft-pair-mtls,weft-pair-newconn,weft-pair-mtls-newconn] [--rounds 1] [--weft ./weft]";

    /// <summary>Seconds of each measured load (throughput and fixed rate alike).</summary>
    public int DurationSeconds { get; init; } = 10;

    public int WarmupSeconds { get; init; } = 2;

    /// <summary>wrk's keep-alive connections for the throughput run.</summary>
    public int Connections { get; init; } = 50;

    /// <summary>Requests per second of the fixed-rate run (latency, CPU per request, memory under load).</summary>
    public int Rate { get; init; } = 1000;

    /// <summary>h2load clients sharing the fixed rate.</summary>
    public int RateClients { get; init; } = 10;

    /// <summary>Response body size in bytes.</summary>
    public int BodyBytes { get; init; } = 1024;

    /// <summary>
    /// How many times every candidate is measured, one after the other in each round, so candidates compared with each
    /// other (the mTLS pair against the plaintext pair) meet the machine in the same state, and a ratio's spread shows.
    /// </summary>
    public int Rounds { get; init; } = 1;

    public IReadOnlySet<string> Only { get; init; } = new HashSet<string>(["direct", "nginx", "haproxy", "weft"], StringComparer.Ordinal);

    /// <summary>
    /// Every candidate, in the order they run: direct, nginx, haproxy, the library floor (<c>yarp</c>: Kestrel and YARP's
    /// forwarder alone, built and run as weft proxy is), weft, weft with two worker threads (<c>--concurrency 2</c>), then
    /// two floors and two weft proxies in a row (a client and a server sidecar) in plaintext and in mutual TLS, with
    /// kept-alive connections between them or (weft) a new one per request.
    /// </summary>
    public static readonly IReadOnlyList<string> Candidates = ["direct", "nginx", "haproxy", "yarp", "weft", "weft-concurrency-2", "yarp-pair", "yarp-pair-mtls", "weft-pair", "weft-pair-mtls", "weft-pair-newconn", "weft-pair-mtls-newconn"];

    /// <summary>The weft command (the repository's <c>./weft</c>, which builds itself).</summary>
    public string Weft { get; init; } = Path.Combine(Environment.CurrentDirectory, "weft");

    public static ProxyLoadOptions Parse(IReadOnlyList<string> args)
    {
        var options = new ProxyLoadOptions();
        for (var i = 0; i < args.Count; i++)
        {
            options = args[i] switch
            {
                "--duration" => options with { DurationSeconds = Number(args, ++i) },
                "--warmup" => options with { WarmupSeconds = Number(args, ++i) },
                "--connections" => options with { Connections = Number(args, ++i) },
                "--rate" => options with { Rate = Number(args, ++i) },
                "--rate-clients" => options with { RateClients = Number(args, ++i) },
                "--body" => options with { BodyBytes = Number(args, ++i) },
                "--rounds" => options with { Rounds = Number(args, ++i) },
                "--only" => options with { Only = Value(args, ++i).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.Ordinal) },
                "--weft" => options with { Weft = Path.GetFullPath(Value(args, ++i)) },
                _ => throw new ArgumentException($"unknown option \"{args[i]}\"; usage: {Usage}"),
            };
        }

        if (options.Rate % options.RateClients != 0)
        {
            throw new ArgumentException($"--rate {options.Rate} must be a multiple of --rate-clients {options.RateClients} (h2load paces each client)");
        }

        return options;
    }

    private static string Value(IReadOnlyList<string> args, int i) =>
        i < args.Count ? args[i] : throw new ArgumentException($"{args[i - 1]} needs a value; usage: {Usage}");

    private static int Number(IReadOnlyList<string> args, int i) =>
        int.TryParse(Value(args, i), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0
            ? n
            : throw new ArgumentException($"{args[i - 1]} needs a positive whole number, not \"{args[i]}\"");
}
