using System.Text;

namespace Weft.Api.GoCompat;

/// <summary>
/// Go strings are UTF-8 bytes: <c>len</c> counts bytes, and byte-oriented rules (net/url's escaping) see each byte.
/// A "byte string" here holds one byte of the UTF-8 encoding per char, so such rules can be applied exactly.
/// </summary>
internal static class GoStrings
{
    /// <summary>The length of <paramref name="value"/> in UTF-8 bytes, as Go's <c>len</c> counts a string.</summary>
    public static int ByteLength(string value)
    {
        foreach (var c in value)
        {
            if (c > 0x7f)
            {
                return Encoding.UTF8.GetByteCount(value);
            }
        }

        return value.Length;
    }

    public static string ToByteString(string s) => Encoding.Latin1.GetString(Encoding.UTF8.GetBytes(s));

    public static string FromByteString(string s) => Encoding.UTF8.GetString(Encoding.Latin1.GetBytes(s));
}
