namespace Weft.Control.Tests.Support;

/// <summary>
/// Locates Istio's conformance corpus (../shared/istio-corpus beside the repository, or $WEFT_ISTIO_CORPUS), as the
/// Weft.Api tests do. The corpus is never copied into the repository; tests that need it skip, saying so, without it.
/// </summary>
internal static class RouteCorpusFiles
{
    private static readonly Lazy<string?> Root = new(Find);

    /// <summary>The corpus path, or a skip of the calling test that says the corpus is missing.</summary>
    public static string Require()
    {
        Skip.If(Root.Value is null, "SKIPPED: the Istio corpus (../shared/istio-corpus or $WEFT_ISTIO_CORPUS) is not present on this machine");
        return Root.Value!;
    }

    private static string? Find()
    {
        var fromEnv = Environment.GetEnvironmentVariable("WEFT_ISTIO_CORPUS");
        if (!string.IsNullOrEmpty(fromEnv))
        {
            return Directory.Exists(fromEnv) ? fromEnv : null;
        }

        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Weft.slnx")))
        {
            dir = dir.Parent;
        }

        if (dir is null)
        {
            return null;
        }

        var candidate = Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "istio-corpus"));
        return Directory.Exists(candidate) ? candidate : null;
    }
}
