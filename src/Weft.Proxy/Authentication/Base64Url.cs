namespace Weft.Proxy.Authentication;

/// <summary>Base64url (RFC 4648 section 5) without padding, as JWTs and JWKs encode bytes.</summary>
internal static class Base64Url
{
    public static bool TryDecode(ReadOnlySpan<char> text, out byte[] bytes)
    {
        bytes = [];
        if (text.Length % 4 == 1)
        {
            return false;
        }

        var padded = new char[text.Length + ((4 - (text.Length % 4)) % 4)];
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            padded[i] = c switch
            {
                '-' => '+',
                '_' => '/',
                '+' or '/' or '=' => '\0',
                _ => c,
            };
            if (padded[i] == '\0')
            {
                return false;
            }
        }

        for (var i = text.Length; i < padded.Length; i++)
        {
            padded[i] = '=';
        }

        try
        {
            bytes = Convert.FromBase64CharArray(padded, 0, padded.Length);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    public static byte[] Decode(string text) => TryDecode(text, out var bytes) ? bytes : throw new FormatException("not base64url");
}
