using System.Security.Cryptography;
using System.Text;
using Weft.Api.Documents;

namespace Weft.Control.Config;

/// <summary>
/// A hash of a document's content (keys, values, scalar kinds; not where they sit in the file), so that a resource moved
/// within a file or re-saved unchanged is recognised as the same resource and pushes nothing.
/// </summary>
internal static class ContentHash
{
    public static string Of(Node node)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Append(hash, node);
        return Convert.ToHexString(hash.GetHashAndReset());
    }

    private static void Append(IncrementalHash hash, Node node)
    {
        switch (node)
        {
            case MapNode map:
                Write(hash, "{");
                foreach (var entry in map.Entries)
                {
                    Write(hash, entry.Key);
                    Write(hash, ":");
                    Append(hash, entry.Value);
                }

                Write(hash, "}");
                break;
            case ListNode list:
                Write(hash, "[");
                foreach (var item in list.Items)
                {
                    Append(hash, item);
                }

                Write(hash, "]");
                break;
            case ScalarNode scalar:
                Write(hash, scalar.Kind.ToString());
                Write(hash, scalar.Text);
                break;
        }
    }

    private static void Write(IncrementalHash hash, string text)
    {
        Span<byte> length = stackalloc byte[4];
        BitConverter.TryWriteBytes(length, text.Length);
        hash.AppendData(length);
        hash.AppendData(Encoding.UTF8.GetBytes(text));
    }
}
