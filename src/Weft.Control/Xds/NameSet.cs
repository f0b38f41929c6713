using System.Collections;
using System.Collections.Concurrent;

namespace Weft.Control.Xds;

/// <summary>
/// An immutable set of subscribed resource names, interned so that proxies subscribed to the same names hold the same
/// object: generated resources for a class of proxies can then be shared by reference, with no per-push comparison of
/// thousands of names.
/// </summary>
public sealed class NameSet : IReadOnlySet<string>
{
    private readonly HashSet<string> _names;
    private readonly int _hash;

    private NameSet(HashSet<string> names)
    {
        _names = names;
        // Order-independent, so equal sets hash alike whatever order the client named them in.
        var hash = names.Count;
        foreach (var name in names)
        {
            hash += StringComparer.Ordinal.GetHashCode(name) * 0x2545F491;
        }

        _hash = hash;
    }

    public static NameSet Empty { get; } = new(new HashSet<string>(StringComparer.Ordinal));

    public int Count => _names.Count;

    public bool Contains(string item) => _names.Contains(item);

    public IEnumerator<string> GetEnumerator() => _names.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public bool IsProperSubsetOf(IEnumerable<string> other) => _names.IsProperSubsetOf(other);

    public bool IsProperSupersetOf(IEnumerable<string> other) => _names.IsProperSupersetOf(other);

    public bool IsSubsetOf(IEnumerable<string> other) => _names.IsSubsetOf(other);

    public bool IsSupersetOf(IEnumerable<string> other) => _names.IsSupersetOf(other);

    public bool Overlaps(IEnumerable<string> other) => _names.Overlaps(other);

    public bool SetEquals(IEnumerable<string> other) => _names.SetEquals(other);

    /// <summary>Interns sets of names: equal sets give the same object while it stays in the table.</summary>
    public sealed class Table
    {
        private readonly ConcurrentDictionary<Key, NameSet> _sets = new();
        private readonly int _capacity;

        public Table(int capacity = 100_000) => _capacity = capacity;

        public int Count => _sets.Count;

        public NameSet Intern(IEnumerable<string> names)
        {
            var set = new NameSet(new HashSet<string>(names, StringComparer.Ordinal));
            if (set.Count == 0)
            {
                return Empty;
            }

            if (_sets.Count >= _capacity)
            {
                // Subscriptions come and go with proxies; forgetting them all only costs sharing until they are interned again.
                _sets.Clear();
            }

            return _sets.GetOrAdd(new Key(set), set);
        }

        private readonly struct Key(NameSet set) : IEquatable<Key>
        {
            private readonly NameSet _set = set;

            public bool Equals(Key other) => ReferenceEquals(_set, other._set) || (_set._hash == other._set._hash && _set._names.SetEquals(other._set._names));

            public override bool Equals(object? obj) => obj is Key other && Equals(other);

            public override int GetHashCode() => _set._hash;
        }
    }
}
