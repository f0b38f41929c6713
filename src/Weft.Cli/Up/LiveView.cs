namespace Weft.Cli.Up;

/// <summary>
/// Draws a frame of lines on a terminal and redraws it in place: the cursor goes back up over the last frame, each line is
/// rewritten and cleared to its end, and lines are cut to the terminal's width so wrapping cannot throw the count off.
/// </summary>
internal sealed class LiveView(TextWriter terminal, Func<int> width)
{
    private const string Escape = "\u001b[";
    private int _drawn;
    private bool _cursorHidden;

    public void Draw(IReadOnlyList<string> lines)
    {
        var columns = Math.Max(20, width());
        if (!_cursorHidden)
        {
            terminal.Write(Escape + "?25l");
            _cursorHidden = true;
        }

        if (_drawn > 0)
        {
            terminal.Write($"{Escape}{_drawn}A\r");
        }

        foreach (var line in lines)
        {
            terminal.Write(line.Length >= columns ? line[..(columns - 1)] : line);
            terminal.Write(Escape + "K\n");
        }

        if (lines.Count < _drawn)
        {
            terminal.Write(Escape + "J");
        }

        _drawn = lines.Count;
        terminal.Flush();
    }

    /// <summary>Leaves the last frame on screen and gives the cursor back.</summary>
    public void Close()
    {
        if (_cursorHidden)
        {
            terminal.Write(Escape + "?25h");
            terminal.Flush();
            _cursorHidden = false;
        }
    }
}
