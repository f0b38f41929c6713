namespace Weft.Control.Tests.Support;

/// <summary>
/// Locates Istio's conformance corpus (../shared/istio-corpus beside the repository, or $WEFT_ISTIO_CORPUS).
/// The corpus is never copied into the repository; tests that need it skip, saying so, when it is absent.
/// (The same locator as Weft.Api.Tests' Corpus/IstioCorpus.cs.)
/// </summary>
internal static class IstioCorpus
{
    private static readonly Lazy<string?> Root = new(Find);

    public static string? Directory => Root.Value;

    public static string RepositoryRoot
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Weft.slnx")))
            {
                dir = dir.Parent;
            }

            return dir?.FullName ?? throw new InvalidOperationException("cannot find the repository root (Weft.slnx) above " + AppContext.BaseDirectory);
        }
    }

    /// <summary>The corpus path, or a skip of the calling test that says the corpus is missing.</summary>
    public static string Require()
    {
        Skip.If(Directory is null, "SKIPPED: the Istio corpus (../shared/istio-corpus or $WEFT_ISTIO_CORPUS) is not present on this machine");
        return Directory!;
    }

    public static string PathOf(string relative) => Path.Combine(Require(), relative);

    private static string? Find()
    {
        var fromEnv = Environment.GetEnvironmentVariable("WEFT_ISTIO_CORPUS");
        if (!string.IsNullOrEmpty(fromEnv))
        {
            return System.IO.Directory.Exists(fromEnv) ? fromEnv : null;
        }

        var candidate = Path.GetFullPath(Path.Combine(RepositoryRoot, "..", "shared", "istio-corpus"));
        return System.IO.Directory.Exists(candidate) ? candidate : null;
    }
}
