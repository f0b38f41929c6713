using System.Globalization;
using System.Text;

namespace Weft.Api.Schema;

/// <summary>
/// The path from the resource root to the value being validated, kept as a stack so that walking allocates
/// nothing; text is only built when a diagnostic needs it.
/// </summary>
/// <remarks>
/// The API server renders paths two ways and users see both: the OpenAPI validator and the pruner join map keys
/// with a dot (<c>spec.selector.matchLabels.app</c>), while CEL and list-type checks use field.Path, which writes
/// them as subscripts (<c>spec.selector.matchLabels[app]</c>). Array indices are <c>[i]</c> in both.
/// </remarks>
internal sealed class PathStack
{
    private Segment[] _segments = new Segment[16];

    public int Depth { get; private set; }

    public void PushField(string name) => Push(new Segment(name, -1, isKey: false));

    public void PushKey(string key) => Push(new Segment(key, -1, isKey: true));

    public void PushIndex(int index) => Push(new Segment(null, index, isKey: false));

    public void Pop() => Depth--;

    public void Clear() => Depth = 0;

    /// <summary>The path as the OpenAPI validator writes it (map keys dotted).</summary>
    public string Dotted() => Render(keysAsSubscripts: false, extraField: null);

    /// <summary>The path of a child field as the OpenAPI validator writes it.</summary>
    public string DottedChild(string field) => Render(keysAsSubscripts: false, extraField: field);

    /// <summary>The path as field.Path writes it (map keys as subscripts).</summary>
    public string Subscripted() => Render(keysAsSubscripts: true, extraField: null);

    private void Push(Segment segment)
    {
        if (Depth == _segments.Length)
        {
            Array.Resize(ref _segments, Depth * 2);
        }

        _segments[Depth++] = segment;
    }

    private string Render(bool keysAsSubscripts, string? extraField)
    {
        var sb = new StringBuilder();
        for (var i = 0; i < Depth; i++)
        {
            var s = _segments[i];
            if (s.Name is null)
            {
                sb.Append('[').Append(s.Index.ToString(CultureInfo.InvariantCulture)).Append(']');
            }
            else if (s.IsKey && keysAsSubscripts)
            {
                sb.Append('[').Append(s.Name).Append(']');
            }
            else
            {
                if (sb.Length > 0)
                {
                    sb.Append('.');
                }

                sb.Append(s.Name);
            }
        }

        if (extraField is not null)
        {
            if (sb.Length > 0)
            {
                sb.Append('.');
            }

            sb.Append(extraField);
        }

        return sb.ToString();
    }

    private readonly struct Segment(string? name, int index, bool isKey)
    {
        public string? Name { get; } = name;

        public int Index { get; } = index;

        public bool IsKey { get; } = isKey;
    }
}
