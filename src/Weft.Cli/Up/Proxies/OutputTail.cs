namespace Weft.Cli.Up.Proxies;

/// <summary>The last lines a child process printed (standard output and error interleaved), to explain why it stopped.</summary>
internal sealed class OutputTail(int capacity)
{
    private readonly Queue<string> _lines = new();

    public void Add(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_lines)
        {
            _lines.Enqueue(line);
            while (_lines.Count > capacity)
            {
                _lines.Dequeue();
            }
        }
    }

    public string Text()
    {
        lock (_lines)
        {
            return string.Join(Environment.NewLine, _lines.Select(l => "  " + l));
        }
    }
}
