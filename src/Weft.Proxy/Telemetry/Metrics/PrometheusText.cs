using System.Globalization;
using System.Text;

namespace Weft.Proxy.Telemetry.Metrics;

/// <summary>Prometheus' text exposition format (version 0.0.4): label escaping and number formatting.</summary>
internal static class PrometheusText
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    /// <summary>Appends <c>name="value"</c>, the value escaped as the format asks: backslash, double quote and line feed.</summary>
    public static StringBuilder AppendLabel(StringBuilder text, string name, string value)
    {
        text.Append(name).Append("=\"");
        foreach (var c in value)
        {
            switch (c)
            {
                case '\\':
                    text.Append(@"\\");
                    break;
                case '"':
                    text.Append("\\\"");
                    break;
                case '\n':
                    text.Append(@"\n");
                    break;
                default:
                    text.Append(c);
                    break;
            }
        }

        return text.Append('"');
    }

    /// <summary>
    /// A bucket bound as Envoy prints it: the shortest form with six significant digits, switching to exponent notation
    /// from a million (<c>0.5</c>, <c>300000</c>, <c>1.8e+06</c>).
    /// </summary>
    public static string FormatBound(double bound)
    {
        if (bound < 1e6)
        {
            return bound.ToString("0.#####", CultureInfo.InvariantCulture);
        }

        var exponent = (int)Math.Floor(Math.Log10(bound));
        var mantissa = bound / Math.Pow(10, exponent);
        return mantissa.ToString("0.#####", CultureInfo.InvariantCulture) + "e+" + exponent.ToString("00", CultureInfo.InvariantCulture);
    }
}
