using System.Text.RegularExpressions;

namespace Weft.Api.Schema;

/// <summary>
/// The string formats a CRD schema can enforce. The API server strips every other format before validating
/// (apiextensions StripUnsupportedFormatsPostProcess), so <c>int32</c>, <c>int64</c>, <c>float</c> and
/// <c>double</c> are not range-checked for custom resources and neither are they here.
/// </summary>
internal static class Formats
{
    private static readonly HashSet<string> Supported = new(StringComparer.Ordinal)
    {
        "bsonobjectid", "uri", "email", "hostname", "ipv4", "ipv6", "cidr", "mac", "uuid", "uuid3", "uuid4", "uuid5",
        "isbn", "isbn10", "isbn13", "creditcard", "ssn", "hexcolor", "rgbcolor", "byte", "password", "date", "duration",
        "datetime",
    };

    private static readonly Regex TimePattern = new(
        @"^([0-9]{2}):([0-9]{2}):([0-9]{2})(.[0-9]+)?(z|([+-][0-9]{2}:[0-9]{2}))\z",
        RegexOptions.CultureInvariant,
        TimeSpan.FromSeconds(1));

    /// <summary>The format the API server keeps, or null when it strips it.</summary>
    public static string? Enforced(string? format) => format switch
    {
        null or "" or "int32" or "int64" or "float" or "double" => null,
        "byte" or "date-time" or "date" or "duration" or "password" or "uri" or "email" or "hostname" or "ipv4" or "ipv6"
            or "cidr" or "mac" or "uuid" or "uuid3" or "uuid4" or "uuid5" or "isbn" or "isbn10" or "isbn13" or "creditcard"
            or "ssn" or "hexcolor" or "rgbcolor" or "bsonobjectid" or "datetime" => format,

        // go-openapi compares format names with dashes removed ("date-time" is "datetime").
        _ when format.Contains('-', StringComparison.Ordinal) && Supported.Contains(format.Replace("-", string.Empty, StringComparison.Ordinal)) => format,
        _ => null,
    };

    /// <summary>
    /// Whether <paramref name="value"/> is valid for an enforced format. Only the formats Istio's CRDs use (and a
    /// few trivial ones) are checked; the rest are accepted.
    /// </summary>
    public static bool IsValid(string format, string value) => (format.Contains('-', StringComparison.Ordinal) ? format.Replace("-", string.Empty, StringComparison.Ordinal) : format) switch
    {
        "byte" => IsBase64(value),
        "datetime" => IsDateTime(value),
        "date" => IsDate(value),
        _ => true,
    };

    // go-openapi uses govalidator's pattern: groups of four base64 characters, the last one possibly padded;
    // the empty string does not match.
    private static bool IsBase64(string s)
    {
        if (s.Length == 0 || s.Length % 4 != 0)
        {
            return false;
        }

        var padding = s[^1] == '=' ? (s[^2] == '=' ? 2 : 1) : 0;
        for (var i = 0; i < s.Length - padding; i++)
        {
            var c = s[i];
            if (!(char.IsAsciiLetterOrDigit(c) || c is '+' or '/'))
            {
                return false;
            }
        }

        return true;
    }

    // strfmt.IsDateTime: a full date, a 't', then hh:mm:ss with optional fraction and a zone, compared loosely.
    private static bool IsDateTime(string s)
    {
        if (s.Length < 4)
        {
            return false;
        }

        var lower = s.ToLowerInvariant();
        var t = lower.IndexOf('t', StringComparison.Ordinal);
        if (t < 0 || !IsDate(lower[..t]))
        {
            return false;
        }

        // Go splits on every 't' and looks only at the second piece.
        var rest = lower[(t + 1)..];
        var next = rest.IndexOf('t', StringComparison.Ordinal);
        if (next >= 0)
        {
            rest = rest[..next];
        }

        return IsTime(rest);
    }

    // strfmt's time-of-day pattern; its '.' before the fraction is unescaped, so it matches any character.
    private static bool IsTime(string s)
    {
        var m = TimePattern.Match(s);
        return m.Success
            && string.CompareOrdinal(m.Groups[1].Value, "23") <= 0
            && string.CompareOrdinal(m.Groups[2].Value, "59") <= 0
            && string.CompareOrdinal(m.Groups[3].Value, "59") <= 0;
    }

    // time.Parse("2006-01-02"): exactly four, two and two digits, and a day that exists in that month.
    private static bool IsDate(string s)
    {
        if (s.Length != 10 || !Digits(s, 0, 4) || s[4] != '-' || !Digits(s, 5, 2) || s[7] != '-' || !Digits(s, 8, 2))
        {
            return false;
        }

        var year = ((s[0] - '0') * 1000) + ((s[1] - '0') * 100) + ((s[2] - '0') * 10) + (s[3] - '0');
        var month = ((s[5] - '0') * 10) + (s[6] - '0');
        var day = ((s[8] - '0') * 10) + (s[9] - '0');
        if (month is < 1 or > 12 || day < 1)
        {
            return false;
        }

        var leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
        int[] days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
        return day <= days[month - 1];
    }

    private static bool Digits(string s, int start, int count)
    {
        if (start + count > s.Length)
        {
            return false;
        }

        for (var i = start; i < start + count; i++)
        {
            if (!char.IsAsciiDigit(s[i]))
            {
                return false;
            }
        }

        return true;
    }
}
