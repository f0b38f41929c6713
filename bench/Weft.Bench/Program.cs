using System.Diagnostics;
using System.Globalization;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using Weft.Api.Validation;
using Weft.Bench;

// dotnet run -c Release --project bench/Weft.Bench -- load-validate   (BenchmarkDotNet, pinned to one core)
// dotnet run -c Release --project bench/Weft.Bench -- quick           (a few timed runs, no BenchmarkDotNet)
// dotnet run -c Release --project bench/Weft.Bench -- phases          (time of each stage: parse, decode, schema, CEL, Istio rules)
// dotnet run -c Release --project bench/Weft.Bench -- emit FILE [N]   (write the N-resource configuration to FILE)
// dotnet run -c Release --project bench/Weft.Bench -- scale [--services 1000 --clients 1000 --changes 20 ...]
//                                                            (control plane at scale: full push, change-to-ACK, memory)
// dotnet run -c Release --project bench/Weft.Bench -- proxy [--duration 10 --rate 1000 --only direct,nginx,haproxy,weft]
//                                                            (data plane: through nginx, haproxy, the library floor and weft proxy vs direct)
var mode = args.Length > 0 ? args[0] : "load-validate";
if (mode == "proxy")
{
    Weft.Bench.ProxyLoad.ProxyLoadOptions options;
    try
    {
        options = Weft.Bench.ProxyLoad.ProxyLoadOptions.Parse(args.Skip(1).ToArray());
    }
    catch (ArgumentException e)
    {
        Console.Error.WriteLine("proxy: " + e.Message);
        return 2;
    }

    try
    {
        var results = await Weft.Bench.ProxyLoad.ProxyLoadScenario.RunAsync(options, Console.Error, CancellationToken.None);
        Weft.Bench.ProxyLoad.ProxyLoadReport.Write(results, options, Console.Out);
        Console.Out.WriteLine();
        Weft.Bench.ProxyLoad.ProxyLoadReport.WriteMutualTls(results, Console.Out);
        Console.Out.WriteLine();
        Weft.Bench.ProxyLoad.ProxyLoadReport.WriteFloor(results, Console.Out);
        return 0;
    }
    catch (Exception e) when (e is TimeoutException or InvalidOperationException or System.ComponentModel.Win32Exception)
    {
        Console.Error.WriteLine("proxy: " + e.Message);
        return 1;
    }
}

if (mode == "scale")
{
    Weft.Bench.Scale.ScaleOptions options;
    try
    {
        options = Weft.Bench.Scale.ScaleOptions.Parse(args.Skip(1).ToArray());
    }
    catch (ArgumentException e)
    {
        Console.Error.WriteLine("scale: " + e.Message);
        return 2;
    }

    try
    {
        var result = await Weft.Bench.Scale.ScaleScenario.RunAsync(options, Console.Error, CancellationToken.None);
        Weft.Bench.Scale.ScaleReport.Write(result, Console.Out);
        return 0;
    }
    catch (Exception e) when (e is TimeoutException or InvalidOperationException or OperationCanceledException)
    {
        Console.Error.WriteLine("scale: " + e.Message);
        return 1;
    }
}

if (mode == "scale-control")
{
    // The control plane half of `scale`, started by it as a child process.
    return await Weft.Bench.Scale.LinkedAgent.ControlPlane.RunChildAsync(args[1]);
}

if (mode == "scale-replay")
{
    // The transport floor's server for `scale`, started by it as a child process.
    return await Weft.Bench.Scale.LinkedAgent.Replay.RunChildAsync(args[1]);
}

if (mode == "emit")
{
    // The benchmark's configuration as a file, to time `weft validate` end to end as a user runs it.
    File.WriteAllText(args[1], SyntheticConfig.Generate(args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 10_000));
    return 0;
}

if (mode == "phases")
{
    var text = SyntheticConfig.Generate(10_000);
    var cel = new Weft.Api.Schema.Cel.CelRuleEvaluator();
    var schemaValidator = new Weft.Api.Schema.SchemaValidator();
    var options = new Weft.Api.Schema.SchemaValidationOptions { Strict = true, CelEvaluator = cel };
    var noCel = new Weft.Api.Schema.SchemaValidationOptions { Strict = true };
    for (var round = 0; round < 4; round++)
    {
        var sw = Stopwatch.StartNew();
        var docs = Weft.Api.Documents.YamlReader.Read(text, "bench.yaml");
        var parse = sw.Elapsed.TotalMilliseconds;
        sw.Restart();
        var resources = docs.Select(d => Weft.Api.Loading.ResourceDecoder.Decode((Weft.Api.Documents.MapNode)d.Root!, new List<Diagnostic>())!).ToList();
        var decode = sw.Elapsed.TotalMilliseconds;
        sw.Restart();
        foreach (var r in resources)
        {
            schemaValidator.Validate(Weft.Api.Model.KindRegistry.Find(r.Group, r.Kind)!.Version(r.Version)!.Schema!(), r.Node, noCel);
        }

        var schema = sw.Elapsed.TotalMilliseconds;
        sw.Restart();
        foreach (var r in resources)
        {
            schemaValidator.Validate(Weft.Api.Model.KindRegistry.Find(r.Group, r.Kind)!.Version(r.Version)!.Schema!(), r.Node, options);
        }

        var schemaCel = sw.Elapsed.TotalMilliseconds;
        sw.Restart();
        foreach (var r in resources)
        {
            var context = new ValidationContext(r);
            Weft.Api.Validation.SpecValidators.For(r.Kind)!.Validate(context);
        }

        var semantic = sw.Elapsed.TotalMilliseconds;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"round {round}: parse {parse:F0} ms, decode {decode:F0} ms, schema {schema:F0} ms, schema+CEL {schemaCel:F0} ms, semantic {semantic:F0} ms"));
    }

    return 0;
}

if (mode == "parse")
{
    var text = SyntheticConfig.Generate(10_000);
    Console.WriteLine($"{text.Length} chars");
    for (var round = 0; round < 5; round++)
    {
        var sw = Stopwatch.StartNew();
        var docs = Weft.Api.Documents.YamlReader.Read(text, "bench.yaml");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"parse round {round}: {docs.Count} docs in {sw.Elapsed.TotalMilliseconds:F0} ms"));
    }

    return 0;
}

if (mode == "quick")
{
    var yaml = SyntheticConfig.Generate(10_000);
    var validator = new ConfigValidator();
    for (var round = 0; round < 5; round++)
    {
        var sw = Stopwatch.StartNew();
        var report = validator.Validate(yaml, "bench.yaml");
        sw.Stop();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"round {round}: {report.Resources.Count} resources in {sw.Elapsed.TotalMilliseconds:F0} ms = {report.Resources.Count / sw.Elapsed.TotalSeconds:F0} resources/s (valid: {report.IsValid})"));
    }

    return 0;
}

var config = DefaultConfig.Instance.AddJob(Job.Default.WithAffinity(1).WithId("one-core"));
var summary = BenchmarkRunner.Run<LoadValidateBenchmark>(config, args.Skip(1).ToArray());
foreach (var report in summary.Reports)
{
    if (report.ResultStatistics is { } stats)
    {
        var seconds = stats.Mean / 1e9;
        var count = (int)report.BenchmarkCase.Parameters["Resources"];
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{report.BenchmarkCase.Descriptor.WorkloadMethodDisplayInfo}: {count} resources in {seconds * 1000:F1} ms = {count / seconds:F0} resources/s"));
    }
}

return 0;
