namespace Weft.Proxy.Listeners;

/// <summary>
/// Envoy's http_inspector: whether a connection opens with an HTTP/1.0 or HTTP/1.1 request line
/// (<c>METHOD SP TARGET SP HTTP/1.x CRLF</c>) or the HTTP/2 connection preface (h2c with prior knowledge). It decides
/// as soon as the bytes rule a protocol in or out, and gives up after <see cref="MaxLength"/> bytes without a line end.
/// </summary>
internal static class HttpRequestLine
{
    /// <summary>How much of a request line is read before deciding it is not HTTP.</summary>
    public const int MaxLength = 8192;

    private static ReadOnlySpan<byte> Preface => "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8;

    private static ReadOnlySpan<byte> Version => "HTTP/1."u8;

    private static ReadOnlySpan<byte> Connect => "CONNECT"u8;

    public enum Outcome
    {
        NeedMore,
        NotHttp,
        Http10,
        Http11,
        H2c,
    }

    /// <param name="isConnect">Set for an HTTP/1 request whose method is CONNECT.</param>
    public static Outcome Classify(ReadOnlySpan<byte> data, out bool isConnect)
    {
        isConnect = false;
        var preface = Math.Min(data.Length, Preface.Length);
        if (data[..preface].SequenceEqual(Preface[..preface]))
        {
            return preface == Preface.Length ? Outcome.H2c : Outcome.NeedMore;
        }

        var line = data.Length > MaxLength ? data[..MaxLength] : data;
        var method = line.IndexOf((byte)' ');
        var methodPart = method < 0 ? line : line[..method];
        foreach (var b in methodPart)
        {
            if (!IsTokenChar(b))
            {
                return Outcome.NotHttp;
            }
        }

        if (method < 0)
        {
            return More(data);
        }

        if (method == 0)
        {
            return Outcome.NotHttp;
        }

        isConnect = methodPart.SequenceEqual(Connect);
        var rest = line[(method + 1)..];
        var target = rest.IndexOf((byte)' ');
        var targetPart = target < 0 ? rest : rest[..target];
        foreach (var b in targetPart)
        {
            if (b <= 0x20 || b == 0x7F)
            {
                return Outcome.NotHttp;
            }
        }

        if (target < 0)
        {
            return More(data);
        }

        if (target == 0)
        {
            return Outcome.NotHttp;
        }

        // "HTTP/1.0\r\n" or "HTTP/1.1\r\n"
        var version = rest[(target + 1)..];
        var known = Math.Min(version.Length, Version.Length);
        if (!version[..known].SequenceEqual(Version[..known]))
        {
            return Outcome.NotHttp;
        }

        if (version.Length <= Version.Length)
        {
            return More(data);
        }

        var minor = version[Version.Length];
        if (minor is not ((byte)'0' or (byte)'1'))
        {
            return Outcome.NotHttp;
        }

        var end = version[(Version.Length + 1)..];
        if (end.Length == 0 || (end[0] == '\r' && end.Length == 1))
        {
            return More(data);
        }

        if (end[0] != '\r' || end[1] != '\n')
        {
            return Outcome.NotHttp;
        }

        return minor == '0' ? Outcome.Http10 : Outcome.Http11;
    }

    private static Outcome More(ReadOnlySpan<byte> data) => data.Length >= MaxLength ? Outcome.NotHttp : Outcome.NeedMore;

    /// <summary>RFC 9110's tchar.</summary>
    private static bool IsTokenChar(byte b) =>
        b is >= (byte)'a' and <= (byte)'z' or >= (byte)'A' and <= (byte)'Z' or >= (byte)'0' and <= (byte)'9'
        || b is (byte)'!' or (byte)'#' or (byte)'$' or (byte)'%' or (byte)'&' or (byte)'\'' or (byte)'*' or (byte)'+'
            or (byte)'-' or (byte)'.' or (byte)'^' or (byte)'_' or (byte)'`' or (byte)'|' or (byte)'~';
}
