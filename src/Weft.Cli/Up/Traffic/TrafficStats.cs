namespace Weft.Cli.Up.Traffic;

/// <summary>
/// The answers and failures of one traffic target, counted in 100 ms slots over the last 10 seconds and in total. A window
/// covers whole slots that have ended, so two readers asking for the same span at the same time see the same counts.
/// </summary>
internal sealed class TrafficStats
{
    public static readonly TimeSpan Slot = TimeSpan.FromMilliseconds(100);
    private const int Slots = 100;

    private readonly TimeProvider _time;
    private readonly long _started;
    private readonly SlotCounts[] _ring = new SlotCounts[Slots];
    private readonly SortedDictionary<string, long> _total = new(StringComparer.Ordinal);
    private long _failures;
    private string? _lastFailure;

    public TrafficStats(TrafficTarget target, TimeProvider time)
    {
        Target = target;
        _time = time;
        _started = time.GetTimestamp();
        for (var i = 0; i < Slots; i++)
        {
            _ring[i] = new SlotCounts();
        }
    }

    public TrafficTarget Target { get; }

    /// <summary>Why the last failure failed (<c>503: no healthy upstream</c>), or null when none has.</summary>
    public string? LastFailure
    {
        get
        {
            lock (_ring)
            {
                return _lastFailure;
            }
        }
    }

    public void Answered(string version)
    {
        lock (_ring)
        {
            var slot = Current();
            slot.Versions[version] = slot.Versions.GetValueOrDefault(version) + 1;
            _total[version] = _total.GetValueOrDefault(version) + 1;
        }
    }

    public void Failed(string reason)
    {
        lock (_ring)
        {
            Current().Failures++;
            _failures++;
            _lastFailure = reason;
        }
    }

    /// <summary>The last <paramref name="span"/> (rounded down to whole slots, at most 10 seconds) that has ended.</summary>
    public TrafficWindow Window(TimeSpan span)
    {
        var count = (int)Math.Clamp(span.Ticks / Slot.Ticks, 1, Slots - 1);
        lock (_ring)
        {
            var now = Index();
            var versions = _total.Keys.ToDictionary(v => v, _ => 0L, StringComparer.Ordinal);
            long failures = 0;
            for (var index = now - count; index < now; index++)
            {
                var slot = _ring[(int)(((index % Slots) + Slots) % Slots)];
                if (index < 0 || slot.Index != index)
                {
                    continue;
                }

                foreach (var (version, n) in slot.Versions)
                {
                    versions[version] += n;
                }

                failures += slot.Failures;
            }

            return new TrafficWindow(Slot * count, versions.OrderBy(v => v.Key, StringComparer.Ordinal).ToArray(), failures);
        }
    }

    /// <summary>Everything since the counting began.</summary>
    public TrafficWindow Totals()
    {
        lock (_ring)
        {
            return new TrafficWindow(_time.GetElapsedTime(_started), _total.ToArray(), _failures);
        }
    }

    private long Index() => _time.GetElapsedTime(_started).Ticks / Slot.Ticks;

    private SlotCounts Current()
    {
        var index = Index();
        var slot = _ring[(int)(index % Slots)];
        if (slot.Index != index)
        {
            slot.Index = index;
            slot.Versions.Clear();
            slot.Failures = 0;
        }

        return slot;
    }

    private sealed class SlotCounts
    {
        public long Index { get; set; } = -1;

        public Dictionary<string, long> Versions { get; } = new(StringComparer.Ordinal);

        public long Failures { get; set; }
    }
}
