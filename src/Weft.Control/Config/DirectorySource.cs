using System.Security.Cryptography;
using System.Text;
using Weft.Api.Loading;

namespace Weft.Control.Config;

/// <summary>
/// Reads a configuration directory (recursively; <c>.yaml</c>, <c>.yml</c>, <c>.json</c>) and reports which files changed,
/// appeared or disappeared since the last scan, with their new text (null for a deleted file).
/// </summary>
public sealed class DirectorySource(string root)
{
    private readonly Dictionary<string, (long Length, DateTime Modified, string Hash)> _known = new(StringComparer.Ordinal);

    public string Root { get; } = Path.GetFullPath(root);

    public IReadOnlyList<KeyValuePair<string, string?>> Scan()
    {
        var changes = new List<KeyValuePair<string, string?>>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        if (Directory.Exists(Root))
        {
            foreach (var path in Directory.EnumerateFiles(Root, "*", SearchOption.AllDirectories).Where(ConfigFiles.IsConfigFile).Order(StringComparer.Ordinal))
            {
                var relative = Path.GetRelativePath(Environment.CurrentDirectory, path);
                seen.Add(relative);
                FileInfo info;
                string text;
                try
                {
                    info = new FileInfo(path);
                    if (_known.TryGetValue(relative, out var known) && known.Length == info.Length && known.Modified == info.LastWriteTimeUtc)
                    {
                        continue;
                    }

                    text = File.ReadAllText(path);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    continue; // Being written or gone: the next event rescans it.
                }

                var hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
                if (_known.TryGetValue(relative, out var previous) && previous.Hash == hash)
                {
                    _known[relative] = (info.Length, info.LastWriteTimeUtc, hash);
                    continue;
                }

                _known[relative] = (info.Length, info.LastWriteTimeUtc, hash);
                changes.Add(new(relative, text));
            }
        }

        foreach (var gone in _known.Keys.Where(k => !seen.Contains(k)).ToArray())
        {
            _known.Remove(gone);
            changes.Add(new(gone, null));
        }

        return changes;
    }
}
