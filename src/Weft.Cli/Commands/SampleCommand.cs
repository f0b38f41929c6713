using System.CommandLine;
using Weft.Cli.Sample;
using Weft.Control.Hosting;

namespace Weft.Cli.Commands;

/// <summary>
/// <c>weft sample --service NAME --version V --address HOST:PORT</c>: the sample workload on its own, answering every request
/// with its service, version and instance; runs until interrupted.
/// </summary>
internal static class SampleCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var service = new Option<string>("--service")
        {
            Description = "Service name it answers as (the WorkloadEntry's app label).",
            Required = true,
        };
        var version = new Option<string>("--version")
        {
            Description = "Version it answers as, in the body and the x-weft-version header.",
            Required = true,
        };
        var address = new Option<string>("--address")
        {
            Description = "Listen address (HOST:PORT); port 0 lets the OS choose.",
            DefaultValueFactory = _ => "127.0.0.1:8080",
        };
        var instance = new Option<string?>("--instance")
        {
            Description = "Instance name in the body (default SERVICE-VERSION).",
        };

        var command = new Command("sample", "Run the sample workload: an HTTP server that answers every path with its service, version and instance as JSON.")
        {
            service,
            version,
            address,
            instance,
        };
        command.SetAction(async (parsed, cancel) =>
        {
            var name = parsed.GetValue(service)!;
            var v = parsed.GetValue(version)!;
            System.Net.IPEndPoint endpoint;
            try
            {
                endpoint = Endpoints.Parse(parsed.GetValue(address)!, "--address");
            }
            catch (FormatException e)
            {
                stderr.WriteLine($"weft sample: {e.Message}");
                return WeftCommand.ExitUsage;
            }

            SampleWorkload sample;
            try
            {
                sample = await SampleWorkload.StartAsync(new SampleWorkloadOptions(name, v, parsed.GetValue(instance) ?? $"{name}-{v}", endpoint), cancel);
            }
            catch (IOException e)
            {
                stderr.WriteLine($"weft sample: {ListenFailure.Describe(e, endpoint)}");
                return 1;
            }

            await using (sample)
            {
                stdout.WriteLine($"weft sample: {name} {v} (instance {sample.Options.Instance}) on http://{sample.Endpoint}/");
                stdout.Flush();
                try
                {
                    await Task.Delay(Timeout.Infinite, cancel);
                }
                catch (OperationCanceledException)
                {
                }
            }

            stdout.WriteLine("weft sample: stopped");
            return 0;
        });
        return command;
    }
}
