using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace Weft.Api.Documents.Fast;

/// <summary>
/// A hand-written, span-based reader for the YAML that configuration files use. It produces exactly the trees the
/// YamlDotNet path of <see cref="YamlReader"/> produces — same node types, texts, kinds, lines and columns — at a
/// fraction of the cost.
/// </summary>
/// <remarks>
/// It is deliberately narrow. Whenever the input strays from what it handles with certainty — an unusual construct,
/// a tab, a directive, a syntax error, a duplicate key, a broken limit — it gives up and the caller reads the whole
/// input with YamlDotNet again, so behaviour (including every error message and its line) never depends on which
/// path ran. Limits are still enforced here, but only to bound this parser's own work: the error itself is always
/// reported by the reference path.
/// </remarks>
internal sealed partial class FastYamlParser
{
    /// <summary>
    /// How deep the recursive descent goes before leaving the input to YamlDotNet, whatever
    /// <see cref="LoadLimits.MaxDepth"/> allows, so a generous limit cannot overflow this parser's stack.
    /// </summary>
    private const int RecursionCap = 256;

    /// <summary>
    /// YamlDotNet stops marking a key as a possible simple key 1024 characters after it starts; a key that long then
    /// becomes an error there. Keys approaching that length are left to it.
    /// </summary>
    private const int MaxKeySpan = 1000;

    /// <summary>
    /// Characters that YamlDotNet treats specially (NUL ends its input; NEL, LS and PS break lines; a byte-order mark)
    /// or that no configuration file should hold. Any of them sends the whole input to YamlDotNet.
    /// </summary>
    private static readonly SearchValues<char> Unusual = SearchValues.Create(
        "\0\u0001\u0002\u0003\u0004\u0005\u0006\u0007\u0008\u000B\u000C\u000E\u000F" +
        "\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001A\u001B\u001C\u001D\u001E\u001F" +
        "\u007F\u0080\u0081\u0082\u0083\u0084\u0085\u0086\u0087\u0088\u0089\u008A\u008B\u008C\u008D\u008E\u008F" +
        "\u0090\u0091\u0092\u0093\u0094\u0095\u0096\u0097\u0098\u0099\u009A\u009B\u009C\u009D\u009E\u009F" +
        "\u2028\u2029\uFEFF\uFFFE\uFFFF");

    [ThreadStatic]
    private static Scratch? t_scratch;

    private readonly string _text;
    private readonly int _end;
    private readonly string _file;
    private readonly LoadLimits _limits;
    private readonly int _depthLimit;

    /// <summary>1, or 2 when CRLF line ends were folded to LF: bounds the document size in original characters.</summary>
    private readonly int _sizeFactor;

    private readonly Scratch _scratch;

    /// <summary>Index of the next character to read.</summary>
    private int _pos;

    /// <summary>1-based line of <see cref="_pos"/>.</summary>
    private int _line = 1;

    /// <summary>Index of the first character of the current line; the column is <c>_pos - _lineStart + 1</c>.</summary>
    private int _lineStart;

    private long _expanded;

    // The flow tokens YamlDotNet's scanner has seen since its last plain scalar (see CheckLeadingColon).
    private bool _flowQuotedSeen;
    private bool _flowClosedSeen;
    private bool _flowOpenedSeen;

    /// <summary>How many flow collections enclose the cursor.</summary>
    private int _flowLevel;
    private Dictionary<string, Built>? _anchors;

    private FastYamlParser(string text, string file, LoadLimits limits, int sizeFactor, Scratch scratch)
    {
        _text = text;
        _end = text.Length;
        _file = file;
        _limits = limits;
        _depthLimit = Math.Min(limits.MaxDepth, RecursionCap);
        _sizeFactor = sizeFactor;
        _scratch = scratch;
    }

    /// <summary>The documents of <paramref name="text"/>, or null when the input must be read by YamlDotNet.</summary>
    public static IReadOnlyList<YamlDocument>? TryParse(string text, string file, LoadLimits limits) =>
        TryParse(text, file, limits, out _);

    /// <summary>As <see cref="TryParse(string, string, LoadLimits)"/>, also saying why it gave up.</summary>
    public static IReadOnlyList<YamlDocument>? TryParse(string text, string file, LoadLimits limits, out string? giveUpReason)
    {
        giveUpReason = null;
        if (text.AsSpan().IndexOfAny(Unusual) >= 0)
        {
            giveUpReason = "a control, line-separator or byte-order-mark character";
            return null;
        }

        var sizeFactor = 1;
        if (text.Contains('\r', StringComparison.Ordinal))
        {
            // YamlDotNet reads CRLF as one line break and yields LF inside scalars; with the CRs dropped every line,
            // column and text stays the same. A CR on its own is a line break there too, but rare enough to leave.
            if (!EveryCarriageReturnEndsALine(text))
            {
                giveUpReason = "a carriage return not followed by a line feed";
                return null;
            }

            text = text.Replace("\r\n", "\n", StringComparison.Ordinal);
            sizeFactor = 2;
        }

        var scratch = t_scratch ?? new Scratch();
        t_scratch = null;
        try
        {
            scratch.Reset();
            return new FastYamlParser(text, file, limits, sizeFactor, scratch).ReadStream();
        }
        catch (GiveUpException e)
        {
            giveUpReason = e.Message;
            return null;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A fault here must never cost a result: the reference path still reads the input. Tests assert that
            // no input ends here.
            giveUpReason = "internal error: " + e;
            return null;
        }
        finally
        {
            scratch.Trim();
            t_scratch = scratch;
        }
    }

    private static bool EveryCarriageReturnEndsALine(string text)
    {
        var span = text.AsSpan();
        for (var i = span.IndexOf('\r'); i >= 0; i = span.IndexOf('\r'))
        {
            if (i + 1 >= span.Length || span[i + 1] != '\n')
            {
                return false;
            }

            span = span[(i + 2)..];
        }

        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private List<YamlDocument> ReadStream()
    {
        var documents = new List<YamlDocument>();
        SkipBlankLines();
        while (!AtEnd)
        {
            var regionStart = _pos;
            var start = Here;
            if (AtDocumentMarker())
            {
                if (_text[_pos] == '.')
                {
                    GiveUp("'...' with no document open");
                }

                // Content on the '---' line itself ("--- |", "--- {a: 1}") is left to YamlDotNet.
                _pos += 3;
                FinishLine();
                SkipBlankLines();
            }

            _anchors?.Clear();
            _expanded = 0;
            Node? root = null;
            if (!AtEnd && !AtDocumentMarker())
            {
                root = ParseBlockNode(-1, 1, Placement.Fresh, default).Node;
                if (!AtEnd && !AtDocumentMarker())
                {
                    GiveUp("content after the root node of a document");
                }
            }

            // YamlDotNet measures from the document's first token to the next marker or the end; measuring from the
            // end of the previous document can only overestimate, so a document this accepts is one it accepts.
            if ((long)(_pos - regionStart) * _sizeFactor > _limits.MaxDocumentChars)
            {
                GiveUp("document size limit");
            }

            if (root is ScalarNode { Kind: ScalarKind.Null, Text.Length: 0 })
            {
                root = null;
            }

            documents.Add(new YamlDocument(root, root?.Location ?? start, documents.Count));
            if (AtDocumentMarker() && _text[_pos] == '.')
            {
                while (AtDocumentMarker() && _text[_pos] == '.')
                {
                    _pos += 3;
                    FinishLine();
                    SkipBlankLines();
                }

                // YamlDotNet's handling of a document that follows '...' without '---' has quirks; leave it.
                if (!AtEnd && !AtDocumentMarker())
                {
                    GiveUp("a document after '...' without '---'");
                }
            }
        }

        return documents;
    }

    [DoesNotReturn]
    private static void GiveUp(string reason) => throw new GiveUpException(reason);

    private void Count(long weight)
    {
        _expanded += weight;
        if (_expanded > _limits.MaxExpandedNodes)
        {
            GiveUp("alias expansion limit");
        }
    }

    /// <summary>Called as each mapping or sequence opens: the depth bound, then the node's own count.</summary>
    private void EnterCollection(int depth)
    {
        if (depth > _depthLimit)
        {
            GiveUp("nesting depth limit");
        }

        // Threads with small stacks get the reference path rather than an overflow.
        if (!RuntimeHelpers.TryEnsureSufficientExecutionStack())
        {
            GiveUp("too little stack left");
        }

        Count(1);
    }

    /// <summary>A node and how many nodes it stands for once aliases are expanded (the reader's weight).</summary>
    private readonly record struct Built(Node Node, long Weight);

    /// <summary>Where a block node starts: on its own line, or after "key:" or "- " on the same line.</summary>
    private enum Placement
    {
        Fresh,
        MapValue,
        SeqEntry,
    }

    private sealed class GiveUpException(string reason) : Exception(reason);
}
