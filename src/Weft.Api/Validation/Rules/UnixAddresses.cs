namespace Weft.Api.Validation.Rules;

/// <summary>Unix domain socket addresses (<c>unix://</c>) as Istio's <c>ValidateUnixAddress</c> checks them.</summary>
internal static class UnixAddresses
{
    public const string Prefix = "unix://";

    public static bool HasPrefix(string? address) => address is not null && address.StartsWith(Prefix, StringComparison.Ordinal);

    /// <summary>Checks the path after <c>unix://</c>: an abstract socket (<c>@name</c>) or an absolute path to a file.</summary>
    public static string? ValidatePath(string path)
    {
        if (path.Length == 0)
        {
            return "unix address must not be empty";
        }

        if (path[0] == '@')
        {
            return null;
        }

        return path[0] != '/' || path[^1] == '/' ? $"{path} is not an absolute path to a file" : null;
    }
}
