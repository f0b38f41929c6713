using System.Globalization;
using Weft.Proxy.Upstream;

namespace Weft.Proxy.LoadBalancing;

/// <summary>
/// RING_HASH: a ketama-style ring. Each endpoint gets points in proportion to its normalized weight, scaled so the
/// lightest gets a whole number of them and the ring has at least the minimum size (at most the maximum); point i of a
/// host is xxHash64 of <c>KEY_i</c>. A request goes to the first point at or after its hash, wrapping around.
/// </summary>
internal sealed class HashRing : HashTable
{
    private readonly ulong[] _points;
    private readonly UpstreamEndpoint[] _owners;

    public HashRing(HashWeights weights, ulong minimumSize, ulong maximumSize, bool byHostname)
    {
        if (weights.Entries.Count == 0)
        {
            _points = [];
            _owners = [];
            return;
        }

        var scale = Math.Min(Math.Ceiling(weights.Min * minimumSize) / weights.Min, maximumSize);
        var entries = new List<(ulong Point, UpstreamEndpoint Owner)>((int)Math.Ceiling(scale));
        Span<char> buffer = stackalloc char[256];
        var current = 0.0;
        var target = 0.0;
        foreach (var (endpoint, weight) in weights.Entries)
        {
            var key = Key(endpoint, byHostname);
            target += scale * weight;
            for (ulong i = 0; current < target; i++, current++)
            {
                var name = key.Length + 21 <= buffer.Length ? buffer : new char[key.Length + 21];
                key.CopyTo(name);
                name[key.Length] = '_';
                i.TryFormat(name[(key.Length + 1)..], out var digits, provider: CultureInfo.InvariantCulture);
                entries.Add((XxHash64.Hash((ReadOnlySpan<char>)name[..(key.Length + 1 + digits)]), endpoint));
            }
        }

        entries.Sort((a, b) => a.Point.CompareTo(b.Point));
        _points = entries.Select(e => e.Point).ToArray();
        _owners = entries.Select(e => e.Owner).ToArray();
    }

    public override int Size => _points.Length;

    public override UpstreamEndpoint? Pick(ulong hash, int attempt)
    {
        if (_points.Length == 0)
        {
            return null;
        }

        var index = Array.BinarySearch(_points, hash);
        if (index < 0)
        {
            index = ~index;
        }
        else
        {
            // Equal points: the first of them.
            while (index > 0 && _points[index - 1] == hash)
            {
                index--;
            }
        }

        if (index == _points.Length)
        {
            index = 0;
        }

        if (attempt > 0)
        {
            index = (int)((index + (long)attempt) % _points.Length);
        }

        return _owners[index];
    }
}
