using Weft.Proxy.Upstream;

namespace Weft.Proxy.LoadBalancing;

/// <summary>
/// MAGLEV: Google's Maglev lookup table (a prime number of slots, 65537 by default), filled as Envoy fills it. Hosts in
/// the order of their keys each get a permutation of the slots (offset xxHash64(key, 0) mod M, skip xxHash64(key, 1)
/// mod (M − 1) + 1); in turns, each host whose weight allows it in this turn takes its next free slot, until the table is
/// full. A request takes the slot at its hash mod M. Slots hold small host indices, not references, to keep the table
/// compact (a byte per slot up to 256 hosts).
/// </summary>
internal sealed class MaglevTable : HashTable
{
    private readonly UpstreamEndpoint[] _hosts;
    private readonly byte[]? _small;
    private readonly int[]? _large;
    private readonly ulong _size;

    public MaglevTable(HashWeights weights, ulong size, bool byHostname)
    {
        _size = size;
        var entries = weights.Entries
            .Select(e => (Key: Key(e.Endpoint, byHostname), e.Endpoint, e.Weight))
            .OrderBy(e => e.Key, StringComparer.Ordinal)
            .ToArray();
        _hosts = entries.Select(e => e.Endpoint).ToArray();
        if (entries.Length == 0)
        {
            return;
        }

        var offsets = new ulong[entries.Length];
        var skips = new ulong[entries.Length];
        var next = new ulong[entries.Length];
        var targets = new double[entries.Length];
        for (var i = 0; i < entries.Length; i++)
        {
            offsets[i] = XxHash64.Hash((ReadOnlySpan<char>)entries[i].Key) % size;
            skips[i] = (XxHash64.Hash((ReadOnlySpan<char>)entries[i].Key, 1) % (size - 1)) + 1;
        }

        var slots = new int[size];
        Array.Fill(slots, -1);
        ulong filled = 0;
        for (ulong turn = 1; filled < size; turn++)
        {
            for (var i = 0; i < entries.Length && filled < size; i++)
            {
                // A host of the largest weight takes a slot every turn; one of a third of it, every third turn.
                if (turn * entries[i].Weight < targets[i])
                {
                    continue;
                }

                targets[i] += weights.Max;
                var slot = (offsets[i] + (skips[i] * next[i])) % size;
                while (slots[slot] >= 0)
                {
                    next[i]++;
                    slot = (offsets[i] + (skips[i] * next[i])) % size;
                }

                slots[slot] = i;
                next[i]++;
                filled++;
            }
        }

        if (entries.Length <= 256)
        {
            _small = slots.Select(s => (byte)s).ToArray();
        }
        else
        {
            _large = slots;
        }
    }

    public override int Size => _hosts.Length == 0 ? 0 : (int)_size;

    /// <summary>The host index in each slot (for tests of the construction).</summary>
    internal IEnumerable<UpstreamEndpoint> Slots => Enumerable.Range(0, Size).Select(i => _hosts[Index((ulong)i)]);

    public override UpstreamEndpoint? Pick(ulong hash, int attempt)
    {
        if (_hosts.Length == 0)
        {
            return null;
        }

        if (attempt > 0)
        {
            // A large change of the hash for a re-pick, so that retries spread rather than land on neighbours.
            hash ^= ~0UL - (ulong)attempt + 1;
        }

        return _hosts[Index(hash % _size)];
    }

    private int Index(ulong slot) => _small is not null ? _small[slot] : _large![slot];
}
