using System.Text;
using System.Text.RegularExpressions;
using Weft.Proxy.Xds;

namespace Weft.Proxy.Authorization;

/// <summary>
/// Envoy's URI template path matcher (<c>envoy.path.match.uri_template.uri_template_matcher</c>), which Istio's
/// <c>{*}</c> and <c>{**}</c> paths become: the path without its query must match the whole template, where <c>*</c> is
/// one non-empty segment, <c>**</c> any number of characters including <c>/</c> (no glob may follow it), <c>{name}</c>
/// or <c>{name=…}</c> a named variable, and other segments are literal (RFC 3986 path characters). A template Envoy would
/// refuse is refused.
/// </summary>
internal sealed class UriTemplateMatch
{
    private const string PathChars = @"a-zA-Z0-9\-._~%!$&'()+,;:@";
    private const string OneSegment = "[" + PathChars + "]+";
    private const string AnySegments = "[" + PathChars + "/]*";

    private readonly Regex _regex;

    private UriTemplateMatch(Regex regex) => _regex = regex;

    public string Pattern => _regex.ToString();

    public static UriTemplateMatch Compile(string template)
    {
        if (template.Length == 0 || template[0] != '/' || template.Any(c => c is <= ' ' or > '~'))
        {
            throw Invalid(template, "it must start with / and hold printable characters only");
        }

        var segments = new List<string>();
        var variables = new HashSet<string>(StringComparer.Ordinal);
        var afterTextGlob = false;
        var rest = template.AsSpan(1);
        var suffix = string.Empty;
        while (!rest.IsEmpty)
        {
            string segment;
            if (rest[0] == '*')
            {
                segment = Operator(ref rest, ref afterTextGlob, template);
            }
            else if (rest[0] == '{')
            {
                segment = Variable(ref rest, variables, ref afterTextGlob, template);
            }
            else
            {
                segment = Regex.Escape(Literal(ref rest, template));
            }

            segments.Add(segment);
            if (rest.IsEmpty)
            {
                break;
            }

            if (rest.Length == 1 && rest[0] == '/')
            {
                segments.Add(string.Empty);
                break;
            }

            if (rest[0] == '/')
            {
                rest = rest[1..];
                continue;
            }

            // Text right after a glob or variable, up to the end: a suffix such as ".mpd" in "/**.mpd".
            suffix = Regex.Escape(Literal(ref rest, template));
            if (!rest.IsEmpty)
            {
                throw Invalid(template, "text after a glob must end the template");
            }
        }

        var pattern = new StringBuilder("^/").AppendJoin('/', segments).Append(suffix).Append('$').ToString();
        return new UriTemplateMatch(new Regex(pattern, RegexOptions.CultureInvariant | RegexOptions.NonBacktracking));
    }

    /// <summary>Whether a path (its query and fragment ignored) matches.</summary>
    public bool Matches(string path)
    {
        var end = path.AsSpan().IndexOfAny('?', '#');
        return _regex.IsMatch(end < 0 ? path : path.AsSpan(0, end));
    }

    private static string Operator(ref ReadOnlySpan<char> rest, ref bool afterTextGlob, string template)
    {
        if (afterTextGlob)
        {
            throw Invalid(template, "no glob may follow **");
        }

        if (rest.StartsWith("**"))
        {
            rest = rest[2..];
            afterTextGlob = true;
            return AnySegments;
        }

        rest = rest[1..];
        return OneSegment;
    }

    private static string Variable(ref ReadOnlySpan<char> rest, HashSet<string> variables, ref bool afterTextGlob, string template)
    {
        var close = rest.IndexOf('}');
        if (close < 0)
        {
            throw Invalid(template, "a variable's { is not closed");
        }

        var body = rest[1..close].ToString();
        rest = rest[(close + 1)..];
        var equals = body.IndexOf('=', StringComparison.Ordinal);
        var name = equals < 0 ? body : body[..equals];
        if (name.Length is 0 or > 16 || !char.IsAsciiLetter(name[0]) || !name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_'))
        {
            throw Invalid(template, $"\"{name}\" is not a variable name");
        }

        if (!variables.Add(name) || variables.Count > 5)
        {
            throw Invalid(template, "variables must be unique and at most 5");
        }

        if (equals < 0)
        {
            if (afterTextGlob)
            {
                throw Invalid(template, "no glob may follow **");
            }

            return $"(?<{name}>{OneSegment})";
        }

        var match = body[(equals + 1)..];
        if (match.Length == 0)
        {
            throw Invalid(template, $"variable {name} has an empty match");
        }

        var parts = new List<string>();
        foreach (var part in match.Split('/'))
        {
            if (part.Length == 0)
            {
                throw Invalid(template, $"variable {name} has an empty segment");
            }

            var span = part.AsSpan();
            parts.Add(part[0] == '*' ? Operator(ref span, ref afterTextGlob, template) : Regex.Escape(Literal(ref span, template)));
            if (!span.IsEmpty)
            {
                throw Invalid(template, $"variable {name} mixes a glob and text in one segment");
            }
        }

        return $"(?<{name}>{string.Join('/', parts)})";
    }

    private static string Literal(ref ReadOnlySpan<char> rest, string template)
    {
        var end = rest.IndexOf('/');
        var literal = (end < 0 ? rest : rest[..end]).ToString();
        rest = end < 0 ? [] : rest[end..];
        if (literal.Length == 0 || !literal.All(c => char.IsAsciiLetterOrDigit(c) || "-._~%!$&'()+,;:@".Contains(c, StringComparison.Ordinal)))
        {
            throw Invalid(template, $"\"{literal}\" is not a literal path segment");
        }

        return literal;
    }

    private static XdsRejectedException Invalid(string template, string why) => new($"URI template \"{template}\" is invalid: {why}");
}
