using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Weft.Api.Documents.Fast;

/// <summary>
/// Working memory the parser reuses from one input to the next (one per thread): the entries and items of the
/// collections being built, a buffer for scalars that need unescaping or folding, and a cache of short strings.
/// </summary>
internal sealed class Scratch
{
    // Kept after a parse only up to these sizes, so one huge input does not pin its buffers for the thread's life.
    private const int KeptStackLength = 4096;
    private const int KeptChars = 64 * 1024;

    public MapEntry[] Entries { get; private set; } = new MapEntry[256];

    public int EntryTop { get; set; }

    /// <summary>How far <see cref="Entries"/> has been written since the last <see cref="Trim"/>.</summary>
    private int EntriesUsed { get; set; }

    public Node[] Items { get; private set; } = new Node[256];

    public int ItemTop { get; set; }

    private int ItemsUsed { get; set; }

    public CharBuffer Chars { get; private set; } = new();

    public StringCache Strings { get; } = new();

    public void PushEntry(MapEntry entry)
    {
        if (EntryTop == Entries.Length)
        {
            var grown = new MapEntry[Entries.Length * 2];
            Entries.CopyTo(grown, 0);
            Entries = grown;
        }

        Entries[EntryTop++] = entry;
        EntriesUsed = Math.Max(EntriesUsed, EntryTop);
    }

    public void PushItem(Node item)
    {
        if (ItemTop == Items.Length)
        {
            var grown = new Node[Items.Length * 2];
            Items.CopyTo(grown, 0);
            Items = grown;
        }

        Items[ItemTop++] = item;
        ItemsUsed = Math.Max(ItemsUsed, ItemTop);
    }

    public void Reset()
    {
        EntryTop = 0;
        ItemTop = 0;
    }

    /// <summary>Drops references to the last input's nodes and oversized buffers.</summary>
    public void Trim()
    {
        if (Entries.Length > KeptStackLength)
        {
            Entries = new MapEntry[256];
        }
        else
        {
            Array.Clear(Entries, 0, EntriesUsed);
        }

        if (Items.Length > KeptStackLength)
        {
            Items = new Node[256];
        }
        else
        {
            Array.Clear(Items, 0, ItemsUsed);
        }

        EntriesUsed = 0;
        ItemsUsed = 0;
        if (Chars.Capacity > KeptChars)
        {
            Chars = new CharBuffer();
        }

        Reset();
    }
}

/// <summary>A growable character buffer; cheaper than StringBuilder for the short appends scalars make.</summary>
internal sealed class CharBuffer
{
    private char[] _chars = new char[256];
    private int _length;

    public int Capacity => _chars.Length;

    public void Clear() => _length = 0;

    public void Append(char c)
    {
        if (_length == _chars.Length)
        {
            Grow(1);
        }

        _chars[_length++] = c;
    }

    public void Append(char c, int count)
    {
        if (count <= 0)
        {
            return;
        }

        if (_length + count > _chars.Length)
        {
            Grow(count);
        }

        _chars.AsSpan(_length, count).Fill(c);
        _length += count;
    }

    public void Append(ReadOnlySpan<char> text)
    {
        if (_length + text.Length > _chars.Length)
        {
            Grow(text.Length);
        }

        text.CopyTo(_chars.AsSpan(_length));
        _length += text.Length;
    }

    public void Append(string text) => Append(text.AsSpan());

    public override string ToString() => new(_chars, 0, _length);

    private void Grow(int needed)
    {
        var grown = new char[Math.Max(_chars.Length * 2, _length + needed)];
        _chars.AsSpan(0, _length).CopyTo(grown);
        _chars = grown;
    }
}

/// <summary>
/// Shares the strings of short scalars and keys that repeat across a configuration ("apiVersion", "name", "v1",
/// "HTTP"): a fixed-size table indexed by a hash, where a collision simply replaces the entry. Saves most of the
/// allocations of a large input without ever growing.
/// </summary>
internal sealed class StringCache
{
    private const int MaxLength = 32;
    private const int Slots = 4096;
    private readonly string?[] _slots = new string?[Slots];

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public string Get(ReadOnlySpan<char> text)
    {
        if (text.Length > MaxLength)
        {
            return text.ToString();
        }

        if (text.IsEmpty)
        {
            return string.Empty;
        }

        // Length and the first and last four characters tell most configuration strings apart; equality is
        // checked anyway, so a weak hash costs only a miss.
        ulong head, tail;
        if (text.Length >= 4)
        {
            head = MemoryMarshal.Read<ulong>(MemoryMarshal.AsBytes(text[..4]));
            tail = MemoryMarshal.Read<ulong>(MemoryMarshal.AsBytes(text[^4..]));
        }
        else
        {
            head = text[0];
            tail = ((ulong)text[^1] << 16) | text[text.Length / 2];
        }

        var mixed = (head * 0x9E3779B97F4A7C15ul) ^ (tail * 0xC2B2AE3D27D4EB4Ful) ^ (ulong)text.Length;
        var hash = (uint)(mixed >> 32) ^ (uint)mixed;
        ref var slot = ref _slots[(hash ^ (hash >> 15)) & (Slots - 1)];
        var cached = slot;
        if (cached is not null && text.SequenceEqual(cached))
        {
            return cached;
        }

        var created = text.ToString();
        slot = created;
        return created;
    }
}
