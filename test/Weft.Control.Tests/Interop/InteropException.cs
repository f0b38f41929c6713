namespace Weft.Control.Tests.Interop;

/// <summary>
/// A node process of the interop harness failed, timed out or reported an error. The message carries
/// the process's stderr and last stdout lines, so a failing test says what node saw.
/// </summary>
public sealed class InteropException : Exception
{
    public InteropException(string message)
        : base(message)
    {
    }

    public InteropException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
