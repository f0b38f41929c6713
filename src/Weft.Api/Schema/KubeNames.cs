namespace Weft.Api.Schema;

/// <summary>
/// The API server's name and label checks (k8s.io/apimachinery validation), returning its messages.
/// Object names and namespaces count "characters"; label keys and values count "bytes", as the two packages
/// that define them do.
/// </summary>
internal static class KubeNames
{
    private const string Dns1123LabelFormat = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
    private const string Dns1123SubdomainFormat = Dns1123LabelFormat + "(\\." + Dns1123LabelFormat + ")*";
    private const string LabelKeyFormat = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
    private const string LabelKeyMessage = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";

    /// <summary>NameIsDNSSubdomain: the rule for custom resource names (and, with a trailing dash allowed, generateName).</summary>
    public static List<string>? ObjectName(string name, bool prefix)
    {
        if (prefix && name.Length > 1 && name.EndsWith('-'))
        {
            // apimachinery's maskTrailingDash drops the last two characters and appends "a".
            name = name[..^2] + "a";
        }

        return name.Length <= 253 && IsDns1123Subdomain(name) ? null : Dns1123Subdomain(name, "characters");
    }

    /// <summary>ValidateNamespaceName: a DNS-1123 label.</summary>
    public static List<string>? Namespace(string name)
    {
        if (name.Length <= 63 && IsDns1123Label(name))
        {
            return null;
        }

        var errors = new List<string>();
        if (ByteLength(name) > 63)
        {
            errors.Add("must be no more than 63 characters");
        }

        if (!IsDns1123Label(name))
        {
            errors.Add(IsDns1123Subdomain(name)
                ? "must not contain dots"
                : RegexError("a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character", Dns1123LabelFormat, "my-name", "123-abc"));
        }

        return errors;
    }

    /// <summary>IsQualifiedName: label keys, annotation keys (lower-cased first) and finalizers.</summary>
    public static List<string>? QualifiedName(string value)
    {
        var slash = value.IndexOf('/', StringComparison.Ordinal);
        var valid = slash < 0
            ? value.Length <= 63 && IsLabelKeyName(value)
            : slash > 0 && slash <= 253 && value.IndexOf('/', slash + 1) < 0 && value.Length - slash - 1 <= 63
                && IsDns1123Subdomain(value.AsSpan(0, slash)) && IsLabelKeyName(value.AsSpan(slash + 1));
        if (valid)
        {
            return null;
        }

        var errors = new List<string>();
        var parts = value.Split('/');
        string name;
        switch (parts.Length)
        {
            case 1:
                name = parts[0];
                break;
            case 2:
                name = parts[1];
                if (parts[0].Length == 0)
                {
                    errors.Add("prefix part must be non-empty");
                }
                else
                {
                    foreach (var message in Dns1123Subdomain(parts[0], "bytes"))
                    {
                        errors.Add("prefix part " + message);
                    }
                }

                break;
            default:
                errors.Add("a valid label key " + RegexError(LabelKeyMessage, LabelKeyFormat, "MyName", "my.name", "123-abc")
                    + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')");
                return errors;
        }

        if (name.Length == 0)
        {
            errors.Add("name part must be non-empty");
        }
        else if (ByteLength(name) > 63)
        {
            errors.Add("name part must be no more than 63 bytes");
        }

        if (!IsLabelKeyName(name))
        {
            errors.Add("name part " + RegexError(LabelKeyMessage, LabelKeyFormat, "MyName", "my.name", "123-abc"));
        }

        return errors;
    }

    /// <summary>IsValidLabelValue: empty, or up to 63 bytes shaped like a label key name.</summary>
    public static List<string>? LabelValue(string value)
    {
        if (value.Length == 0 || (value.Length <= 63 && IsLabelKeyName(value)))
        {
            return null;
        }

        var errors = new List<string>();
        if (ByteLength(value) > 63)
        {
            errors.Add("must be no more than 63 bytes");
        }

        if (value.Length > 0 && !IsLabelKeyName(value))
        {
            errors.Add(RegexError(
                "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character",
                "(" + LabelKeyFormat + ")?",
                "MyValue",
                "my_value",
                "12345"));
        }

        return errors;
    }

    private static List<string> Dns1123Subdomain(string value, string unit)
    {
        var errors = new List<string>();
        if (ByteLength(value) > 253)
        {
            errors.Add($"must be no more than 253 {unit}");
        }

        if (!IsDns1123Subdomain(value))
        {
            errors.Add(RegexError(
                "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character",
                Dns1123SubdomainFormat,
                "example.com"));
        }

        return errors;
    }

    // apimachinery's RegexError, including its ",  or" double space between examples.
    private static string RegexError(string message, string format, params string[] examples)
    {
        var sb = new System.Text.StringBuilder(message).Append(" (e.g. ");
        for (var i = 0; i < examples.Length; i++)
        {
            if (i > 0)
            {
                sb.Append(" or ");
            }

            sb.Append('\'').Append(examples[i]).Append("', ");
        }

        return sb.Append("regex used for validation is '").Append(format).Append("')").ToString();
    }

    private static bool IsDns1123Label(ReadOnlySpan<char> s)
    {
        if (s.Length == 0 || !IsLowerAlnum(s[0]) || !IsLowerAlnum(s[^1]))
        {
            return false;
        }

        foreach (var c in s)
        {
            if (!IsLowerAlnum(c) && c != '-')
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsDns1123Subdomain(ReadOnlySpan<char> s)
    {
        while (true)
        {
            var dot = s.IndexOf('.');
            if (!IsDns1123Label(dot < 0 ? s : s[..dot]))
            {
                return false;
            }

            if (dot < 0)
            {
                return true;
            }

            s = s[(dot + 1)..];
        }
    }

    private static bool IsLabelKeyName(ReadOnlySpan<char> s)
    {
        if (s.Length == 0 || !char.IsAsciiLetterOrDigit(s[0]) || !char.IsAsciiLetterOrDigit(s[^1]))
        {
            return false;
        }

        foreach (var c in s)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('-' or '_' or '.'))
            {
                return false;
            }
        }

        return true;
    }

    // Go measures strings in UTF-8 bytes.
    private static int ByteLength(string s) => System.Text.Encoding.UTF8.GetByteCount(s);

    private static bool IsLowerAlnum(char c) => char.IsAsciiDigit(c) || char.IsAsciiLetterLower(c);
}
