namespace Weft.Proxy.Telemetry.Expressions;

/// <summary>
/// A CEL map: a literal's, or a view over data the proxy already holds (a request's headers), read only when an
/// expression looks a key up, so binding one costs nothing.
/// </summary>
internal abstract class CelMap
{
    public abstract int Count { get; }

    /// <summary>The value under <paramref name="key"/>; false when there is none (CEL's "no such key" error).</summary>
    public abstract bool TryGet(CelValue key, out CelValue value);

    public abstract IEnumerable<KeyValuePair<CelValue, CelValue>> Entries { get; }

    /// <summary>CEL's map equality: the same keys, each with an equal value.</summary>
    public bool ContentEquals(CelMap other)
    {
        if (Count != other.Count)
        {
            return false;
        }

        foreach (var (key, value) in Entries)
        {
            if (!other.TryGet(key, out var theirs) || !value.Equals(theirs))
            {
                return false;
            }
        }

        return true;
    }
}

/// <summary>A map built from a literal, or from values computed at evaluation.</summary>
internal sealed class CelLiteralMap(Dictionary<CelValue, CelValue> entries) : CelMap
{
    public override int Count => entries.Count;

    public override bool TryGet(CelValue key, out CelValue value) => entries.TryGetValue(key, out value);

    public override IEnumerable<KeyValuePair<CelValue, CelValue>> Entries => entries;
}
