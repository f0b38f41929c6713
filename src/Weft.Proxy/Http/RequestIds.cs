using System.Security.Cryptography;

namespace Weft.Proxy.Http;

/// <summary>
/// Random (version 4) UUIDs for <c>x-request-id</c>, as <see cref="Guid.NewGuid"/> makes them, but from random bytes
/// fetched a few kilobytes at a time per thread: on Linux each <see cref="Guid.NewGuid"/> read /dev/urandom, one system
/// call per request. Envoy likewise draws its request ids from a buffered generator.
/// </summary>
internal static class RequestIds
{
    private const int BufferBytes = 4096;

    [ThreadStatic]
    private static byte[]? t_random;

    [ThreadStatic]
    private static int t_used;

    public static string Next()
    {
        var random = t_random;
        if (random is null || t_used == BufferBytes)
        {
            random = t_random ??= new byte[BufferBytes];
            RandomNumberGenerator.Fill(random);
            t_used = 0;
        }

        Span<byte> bytes = stackalloc byte[16];
        random.AsSpan(t_used, 16).CopyTo(bytes);
        random.AsSpan(t_used, 16).Clear();
        t_used += 16;

        // The version and variant bits of RFC 9562 version 4, where Guid keeps them (its third group is little-endian).
        bytes[7] = (byte)((bytes[7] & 0x0F) | 0x40);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return string.Create(36, new Guid(bytes), static (text, id) => id.TryFormat(text, out _, "D"));
    }
}
