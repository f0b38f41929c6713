using Microsoft.AspNetCore.Http;

namespace Weft.Proxy.Authorization;

/// <summary>
/// The start of a request body, read for a check (ext_authz <c>with_request_body</c>) without taking it from the
/// request: the body is buffered and rewound, so the upstream still receives all of it.
/// </summary>
internal static class BufferedBody
{
    /// <summary>Up to <paramref name="max"/> + 1 bytes of the body: one more than allowed tells a longer body apart.</summary>
    public static async Task<byte[]> ReadAsync(HttpRequest request, int max)
    {
        if (request.ContentLength == 0)
        {
            return [];
        }

        request.EnableBuffering();
        var limit = max == int.MaxValue ? max : max + 1;
        var buffer = new byte[Math.Min(limit, (int)Math.Min(request.ContentLength ?? 64 * 1024, limit))];
        var filled = 0;
        while (filled < limit)
        {
            if (filled == buffer.Length)
            {
                Array.Resize(ref buffer, (int)Math.Min((long)buffer.Length * 2, limit));
            }

            var read = await request.Body.ReadAsync(buffer.AsMemory(filled), request.HttpContext.RequestAborted).ConfigureAwait(false);
            if (read == 0)
            {
                break;
            }

            filled += read;
        }

        request.Body.Position = 0;
        return filled == buffer.Length ? buffer : buffer[..filled];
    }
}
