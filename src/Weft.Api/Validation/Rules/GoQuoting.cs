using System.Globalization;
using System.Text;

namespace Weft.Api.Validation.Rules;

/// <summary>Renders values the way Go's <c>%q</c> verb does, so messages read as Istio's.</summary>
internal static class GoQuoting
{
    /// <summary>A double-quoted string literal: backslash, quote and control characters escaped.</summary>
    public static string Quote(string value)
    {
        var plain = true;
        foreach (var c in value)
        {
            if (c is '"' or '\\' || char.IsControl(c))
            {
                plain = false;
                break;
            }
        }

        if (plain)
        {
            return "\"" + value + "\"";
        }

        var sb = new StringBuilder(value.Length + 8);
        sb.Append('"');
        foreach (var c in value)
        {
            switch (c)
            {
                case '"':
                    sb.Append("\\\"");
                    break;
                case '\\':
                    sb.Append("\\\\");
                    break;
                case '\n':
                    sb.Append("\\n");
                    break;
                case '\r':
                    sb.Append("\\r");
                    break;
                case '\t':
                    sb.Append("\\t");
                    break;
                default:
                    if (c < 0x20 || c == 0x7f)
                    {
                        sb.Append("\\x").Append(((int)c).ToString("x2", CultureInfo.InvariantCulture));
                    }
                    else if (char.IsControl(c))
                    {
                        sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        sb.Append(c);
                    }

                    break;
            }
        }

        return sb.Append('"').ToString();
    }
}
