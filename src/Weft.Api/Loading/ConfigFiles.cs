namespace Weft.Api.Loading;

/// <summary>
/// Expands the paths a user gives (files, directories, "-" for standard input) into the files to read.
/// Directories are walked recursively for .yaml, .yml and .json files, in a stable order.
/// </summary>
public static class ConfigFiles
{
    private static readonly string[] Extensions = [".yaml", ".yml", ".json"];

    public static bool IsConfigFile(string path) => Extensions.Contains(Path.GetExtension(path), StringComparer.OrdinalIgnoreCase);

    /// <summary>Reads every input; an input that cannot be read throws <see cref="ConfigFileException"/> naming it.</summary>
    public static IReadOnlyList<ConfigFile> Read(IEnumerable<string> paths, Func<TextReader>? stdin = null, long maxFileBytes = 64L * 1024 * 1024)
    {
        var files = new List<ConfigFile>();
        foreach (var path in paths)
        {
            if (path == "-")
            {
                using var reader = (stdin ?? (() => Console.In))();
                files.Add(new ConfigFile("-", reader.ReadToEnd()));
                continue;
            }

            if (Directory.Exists(path))
            {
                var found = Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories)
                    .Where(IsConfigFile)
                    .Order(StringComparer.Ordinal);
                foreach (var file in found)
                {
                    files.Add(ReadOne(file, maxFileBytes));
                }

                continue;
            }

            files.Add(ReadOne(path, maxFileBytes));
        }

        return files;
    }

    private static ConfigFile ReadOne(string path, long maxFileBytes)
    {
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists)
            {
                throw new ConfigFileException(path, "no such file or directory");
            }

            if (info.Length > maxFileBytes)
            {
                throw new ConfigFileException(path, $"file is {info.Length} bytes, more than the limit of {maxFileBytes}");
            }

            return new ConfigFile(path, File.ReadAllText(path));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConfigFileException(path, e.Message);
        }
    }
}
