using System.Text;
using Weft.Proxy.Snapshot.Listeners;

namespace Weft.Proxy.Http;

/// <summary>
/// The path processing of Envoy's connection manager, applied to the path only (the query is kept as sent): handling of
/// escaped slashes (<c>%2F</c>, <c>%5C</c>), then <c>normalize_path</c> (RFC 3986: percent-encoded unreserved characters
/// decoded, other escapes upper-cased, backslashes made slashes, dot segments removed), then <c>merge_slashes</c>.
/// </summary>
internal static class PathNormalizer
{
    public enum Outcome
    {
        Ok,
        Invalid,
        Reject,
        Redirect,
    }

    /// <summary>Normalizes a request target (origin-form path and query); the result is the <c>:path</c> routing sees.</summary>
    public static (Outcome Outcome, string Path) Process(string target, bool normalize, bool mergeSlashes, EscapedSlashes escaped)
    {
        if (target.Length == 0 || target[0] != '/')
        {
            return (Outcome.Invalid, target);
        }

        var queryStart = target.AsSpan().IndexOfAny('?', '#');
        var path = queryStart < 0 ? target : target[..queryStart];
        var query = queryStart < 0 ? string.Empty : target[queryStart..];

        var outcome = Outcome.Ok;
        if (escaped != EscapedSlashes.KeepUnchanged && HasEscapedSlash(path))
        {
            switch (escaped)
            {
                case EscapedSlashes.Reject:
                    return (Outcome.Reject, target);
                case EscapedSlashes.UnescapeAndRedirect:
                    outcome = Outcome.Redirect;
                    break;
            }

            path = UnescapeSlashes(path);
        }

        if (normalize)
        {
            path = RemoveDotSegments(DecodeUnreserved(path).Replace('\\', '/'));
        }

        if (mergeSlashes)
        {
            path = MergeSlashes(path);
        }

        return (outcome, path + query);
    }

    private static bool HasEscapedSlash(string path) =>
        path.Contains("%2F", StringComparison.OrdinalIgnoreCase) || path.Contains("%5C", StringComparison.OrdinalIgnoreCase);

    private static string UnescapeSlashes(string path) => path
        .Replace("%2F", "/", StringComparison.OrdinalIgnoreCase)
        .Replace("%5C", "\\", StringComparison.OrdinalIgnoreCase);

    private static string DecodeUnreserved(string path)
    {
        if (!path.Contains('%', StringComparison.Ordinal))
        {
            return path;
        }

        var result = new StringBuilder(path.Length);
        for (var i = 0; i < path.Length; i++)
        {
            if (path[i] == '%' && i + 2 < path.Length && Uri.IsHexDigit(path[i + 1]) && Uri.IsHexDigit(path[i + 2]))
            {
                var c = (char)Convert.ToInt32(path.Substring(i + 1, 2), 16);
                if (char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' or '~')
                {
                    result.Append(c);
                }
                else
                {
                    result.Append('%').Append(char.ToUpperInvariant(path[i + 1])).Append(char.ToUpperInvariant(path[i + 2]));
                }

                i += 2;
            }
            else
            {
                result.Append(path[i]);
            }
        }

        return result.ToString();
    }

    /// <summary>RFC 3986 section 5.2.4, for an absolute path.</summary>
    private static string RemoveDotSegments(string path)
    {
        if (!path.Contains('.', StringComparison.Ordinal))
        {
            return path;
        }

        var segments = path.Split('/');
        var output = new List<string>(segments.Length);
        for (var i = 1; i < segments.Length; i++)
        {
            var segment = segments[i];
            var last = i == segments.Length - 1;
            if (segment == ".")
            {
                if (last)
                {
                    output.Add(string.Empty);
                }
            }
            else if (segment == "..")
            {
                if (output.Count > 0)
                {
                    output.RemoveAt(output.Count - 1);
                }

                if (last)
                {
                    output.Add(string.Empty);
                }
            }
            else
            {
                output.Add(segment);
            }
        }

        return "/" + string.Join('/', output);
    }

    private static string MergeSlashes(string path)
    {
        if (!path.Contains("//", StringComparison.Ordinal))
        {
            return path;
        }

        var result = new StringBuilder(path.Length);
        foreach (var c in path)
        {
            if (c != '/' || result.Length == 0 || result[^1] != '/')
            {
                result.Append(c);
            }
        }

        return result.ToString();
    }
}
