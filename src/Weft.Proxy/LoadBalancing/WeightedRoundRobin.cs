namespace Weft.Proxy.LoadBalancing;

/// <summary>
/// Round robin over weighted hosts. Equal weights: plain rotation (lock-free), from a random start so that many proxies
/// do not all begin with the same host. Unequal weights: smooth weighted round robin (each pick raises every host's
/// credit by its weight and takes the host with the most, which then pays the total), which interleaves hosts in
/// proportion to their weights, as Envoy's earliest-deadline-first schedule does, with exact integer arithmetic.
/// </summary>
internal sealed class WeightedRoundRobin<T>
{
    private readonly T[] _items;
    private readonly long[] _weights;
    private readonly long[]? _credit;
    private readonly long _total;
    private readonly object _gate = new();
    private long _next;

    public WeightedRoundRobin(IReadOnlyList<(T Item, uint Weight)> items, int start)
    {
        _items = items.Select(i => i.Item).ToArray();
        _weights = items.Select(i => (long)Math.Max(1u, i.Weight)).ToArray();
        _total = _weights.Sum();
        _next = _items.Length == 0 ? 0 : (start & int.MaxValue) % _items.Length;
        if (_weights.Distinct().Count() > 1)
        {
            _credit = new long[_items.Length];
        }
    }

    public int Count => _items.Length;

    public T? Pick()
    {
        if (_items.Length == 0)
        {
            return default;
        }

        if (_credit is null)
        {
            var n = Interlocked.Increment(ref _next) - 1;
            return _items[(int)(n % _items.Length)];
        }

        lock (_gate)
        {
            var best = 0;
            for (var i = 0; i < _credit.Length; i++)
            {
                _credit[i] += _weights[i];
                if (_credit[i] > _credit[best])
                {
                    best = i;
                }
            }

            _credit[best] -= _total;
            return _items[best];
        }
    }
}
