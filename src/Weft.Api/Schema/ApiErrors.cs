using System.Globalization;
using System.Text;
using Weft.Api.GoCompat;

namespace Weft.Api.Schema;

/// <summary>
/// The bodies of the API server's field errors (k8s.io/apimachinery field.Error.ErrorBody), written after the
/// field path: "Invalid value: X: detail", "Required value", "Unsupported value: X: supported values: ...".
/// </summary>
internal static class ApiErrors
{
    public static string Invalid(string badValue, string detail) => "Invalid value: " + badValue + ": " + detail;

    public static string Required(string? detail = null) => string.IsNullOrEmpty(detail) ? "Required value" : "Required value: " + detail;

    public static string Forbidden(string detail) => "Forbidden: " + detail;

    public static string Duplicate(string badValue) => "Duplicate value: " + badValue;

    public static string TooLong(long max) =>
        "Too long: may not be more than " + max.ToString(CultureInfo.InvariantCulture) + (max == 1 ? " byte" : " bytes");

    public static string TooMany(long actual, long max) =>
        "Too many: " + actual.ToString(CultureInfo.InvariantCulture) + ": must have at most "
        + max.ToString(CultureInfo.InvariantCulture) + (max == 1 ? " item" : " items");

    public static string NotSupported(string badValue, IReadOnlyList<string> supported)
    {
        var sb = new StringBuilder("Unsupported value: ").Append(badValue);
        for (var i = 0; i < supported.Count; i++)
        {
            sb.Append(i == 0 ? ": supported values: " : ", ");
            GoStrconv.AppendQuoted(sb, supported[i]);
        }

        return sb.ToString();
    }

    /// <summary>The OpenAPI validator's own wording, which names the path again: "spec.x in body should ...".</summary>
    public static string InBody(string path, string rest) => path + " in body " + rest;
}
