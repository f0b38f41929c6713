namespace Weft.Cli.Tests.Support;

/// <summary>Runs the weft command line in-process with captured output, as a user's terminal would show it.</summary>
internal sealed record CliRun(int ExitCode, string Stdout, string Stderr)
{
    public static CliRun Of(string[] args, string stdin = "")
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = WeftCommand.Run(args, stdout, stderr, () => new StringReader(stdin));
        return new CliRun(code, stdout.ToString(), stderr.ToString());
    }

    public static string RepositoryRoot
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Weft.slnx")))
            {
                dir = dir.Parent;
            }

            return dir?.FullName ?? throw new InvalidOperationException("repository root not found");
        }
    }
}
