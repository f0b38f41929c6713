using System.CommandLine;
using Weft.Api.Loading;
using Weft.Api.Validation;
using Weft.Cli.Output;

namespace Weft.Cli.Commands;

/// <summary>
/// <c>weft validate -f PATH...</c>: istioctl validate's behaviour. Exit 0 when everything is valid, 1 when any resource
/// or file is invalid, 2 for a usage error; warnings never fail the run.
/// </summary>
internal static class ValidateCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr, Func<TextReader> stdin)
    {
        var files = new Option<string[]>("--filename", "-f")
        {
            Description = "Files or directories of Istio YAML/JSON to validate; '-' reads standard input. Repeatable.",
            Required = true,
            AllowMultipleArgumentsPerToken = true,
        };
        var output = new Option<string>("--output", "-o")
        {
            Description = "Output format: text (default), json or yaml.",
            DefaultValueFactory = _ => "text",
        };
        output.AcceptOnlyFromAmong("text", "json", "yaml");
        var lenient = new Option<bool>("--lenient")
        {
            Description = "Ignore unknown fields instead of rejecting them (strict decoding is the default, as kubectl apply --validate=strict).",
        };

        var command = new Command("validate", "Validate Istio configuration as istioctl validate does, reporting every error with its file, line and field.")
        {
            files,
            output,
            lenient,
        };
        command.SetAction(parsed =>
        {
            IReadOnlyList<ConfigFile> inputs;
            try
            {
                inputs = ConfigFiles.Read(parsed.GetValue(files)!, stdin);
            }
            catch (ConfigFileException e)
            {
                stderr.WriteLine($"weft validate: cannot read {e.Path}: {e.Reason}");
                return 1;
            }

            var validator = new ConfigValidator(new ValidationOptions { Strict = !parsed.GetValue(lenient) });
            var report = validator.Validate(inputs);
            switch (parsed.GetValue(output))
            {
                case "json":
                    ReportWriter.WriteJson(report, stdout);
                    break;
                case "yaml":
                    ReportWriter.WriteYaml(report, stdout);
                    break;
                default:
                    ReportWriter.WriteText(report, stdout, stderr);
                    break;
            }

            return report.IsValid ? 0 : 1;
        });
        return command;
    }
}
