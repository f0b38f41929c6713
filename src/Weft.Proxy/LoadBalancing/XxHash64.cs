using System.Buffers;
using System.Buffers.Binary;
using System.Numerics;
using System.Text;

namespace Weft.Proxy.LoadBalancing;

/// <summary>
/// xxHash64 (Yann Collet's non-cryptographic 64-bit hash), the function Envoy hashes request keys and ring points with.
/// Strings are hashed as their UTF-8 bytes, as Envoy hashes its byte strings, so the same key lands on the same point.
/// </summary>
internal static class XxHash64
{
    private const ulong Prime1 = 0x9E3779B185EBCA87;
    private const ulong Prime2 = 0xC2B2AE3D27D4EB4F;
    private const ulong Prime3 = 0x165667B19E3779F9;
    private const ulong Prime4 = 0x85EBCA77C2B2AE63;
    private const ulong Prime5 = 0x27D4EB2F165667C5;

    /// <summary>Keys up to this many UTF-8 bytes are encoded on the stack.</summary>
    private const int StackLimit = 512;

    public static ulong Hash(ReadOnlySpan<byte> input, ulong seed = 0)
    {
        var length = (ulong)input.Length;
        ulong hash;
        if (input.Length >= 32)
        {
            var v1 = seed + Prime1 + Prime2;
            var v2 = seed + Prime2;
            var v3 = seed;
            var v4 = seed - Prime1;
            while (input.Length >= 32)
            {
                v1 = Round(v1, BinaryPrimitives.ReadUInt64LittleEndian(input));
                v2 = Round(v2, BinaryPrimitives.ReadUInt64LittleEndian(input[8..]));
                v3 = Round(v3, BinaryPrimitives.ReadUInt64LittleEndian(input[16..]));
                v4 = Round(v4, BinaryPrimitives.ReadUInt64LittleEndian(input[24..]));
                input = input[32..];
            }

            hash = BitOperations.RotateLeft(v1, 1) + BitOperations.RotateLeft(v2, 7) + BitOperations.RotateLeft(v3, 12) + BitOperations.RotateLeft(v4, 18);
            hash = Merge(hash, v1);
            hash = Merge(hash, v2);
            hash = Merge(hash, v3);
            hash = Merge(hash, v4);
        }
        else
        {
            hash = seed + Prime5;
        }

        hash += length;
        while (input.Length >= 8)
        {
            hash ^= Round(0, BinaryPrimitives.ReadUInt64LittleEndian(input));
            hash = (BitOperations.RotateLeft(hash, 27) * Prime1) + Prime4;
            input = input[8..];
        }

        if (input.Length >= 4)
        {
            hash ^= BinaryPrimitives.ReadUInt32LittleEndian(input) * Prime1;
            hash = (BitOperations.RotateLeft(hash, 23) * Prime2) + Prime3;
            input = input[4..];
        }

        foreach (var b in input)
        {
            hash ^= b * Prime5;
            hash = BitOperations.RotateLeft(hash, 11) * Prime1;
        }

        hash ^= hash >> 33;
        hash *= Prime2;
        hash ^= hash >> 29;
        hash *= Prime3;
        hash ^= hash >> 32;
        return hash;
    }

    /// <summary>The hash of a string's UTF-8 bytes; no allocation for keys of ordinary length.</summary>
    public static ulong Hash(ReadOnlySpan<char> text, ulong seed = 0)
    {
        var max = Encoding.UTF8.GetMaxByteCount(text.Length);
        if (max <= StackLimit)
        {
            Span<byte> bytes = stackalloc byte[StackLimit];
            return Hash(bytes[..Encoding.UTF8.GetBytes(text, bytes)], seed);
        }

        var rented = ArrayPool<byte>.Shared.Rent(max);
        try
        {
            return Hash(rented.AsSpan(0, Encoding.UTF8.GetBytes(text, rented)), seed);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private static ulong Round(ulong accumulator, ulong lane) =>
        BitOperations.RotateLeft(accumulator + (lane * Prime2), 31) * Prime1;

    private static ulong Merge(ulong hash, ulong accumulator) =>
        ((hash ^ Round(0, accumulator)) * Prime1) + Prime4;
}
