using System.Text;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace Weft.Proxy.Telemetry.AccessLog;

/// <summary>
/// One access log destination (a file, or standard output for <c>-</c> and <c>/dev/stdout</c>) with its format. Requests
/// hand entries to a bounded queue and never wait: when the queue is full the entry is dropped and counted. One writer
/// formats and writes in the background, flushing whenever the queue runs empty.
/// </summary>
internal sealed partial class AccessLogWriter : IAsyncDisposable
{
    /// <summary>Entries waiting to be written before new ones are dropped.</summary>
    public const int Capacity = 8192;

    private readonly Channel<AccessLogEntry> _queue;
    private readonly Stream _output;
    private readonly bool _ownsOutput;
    private readonly Task _writer;
    private readonly ILogger _log;
    private long _dropped;

    public AccessLogWriter(string path, AccessLogFormat format, ILogger log, ProgressCounter? written = null)
    {
        Path = path;
        Format = format;
        _log = log;
        Written = written ?? new ProgressCounter();
        _queue = Channel.CreateBounded<AccessLogEntry>(new BoundedChannelOptions(Capacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
            SingleWriter = false,
        });
        if (IsStandardOutput(path))
        {
            _output = Console.OpenStandardOutput();
            _ownsOutput = false;
        }
        else
        {
            _output = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete, 4096, useAsync: true);
            _ownsOutput = true;
        }

        _writer = Task.Run(WriteAsync);
    }

    public string Path { get; }

    public AccessLogFormat Format { get; }

    /// <summary>Entries dropped because the queue was full.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Entries written out (and flushed); writers may share one count.</summary>
    public ProgressCounter Written { get; }

    /// <summary>Whether a path means standard output.</summary>
    public static bool IsStandardOutput(string path) => path is "-" or "/dev/stdout";

    /// <summary>Queues an entry; never blocks.</summary>
    public void Enqueue(AccessLogEntry entry)
    {
        if (!_queue.Writer.TryWrite(entry))
        {
            Interlocked.Increment(ref _dropped);
        }
    }

    private async Task WriteAsync()
    {
        var line = new StringBuilder(1024);
        var reader = _queue.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            var count = 0;
            while (reader.TryRead(out var entry))
            {
                Format.Write(line, entry);
                count++;
                if (line.Length >= 64 * 1024)
                {
                    await FlushAsync(line).ConfigureAwait(false);
                }
            }

            await FlushAsync(line).ConfigureAwait(false);
            for (var i = 0; i < count; i++)
            {
                Written.Increment();
            }
        }
    }

    private async Task FlushAsync(StringBuilder line)
    {
        if (line.Length == 0)
        {
            return;
        }

        try
        {
            await _output.WriteAsync(Encoding.UTF8.GetBytes(line.ToString())).ConfigureAwait(false);
            await _output.FlushAsync().ConfigureAwait(false);
        }
        catch (IOException e)
        {
            LogWriteFailed(_log, Path, e.Message);
        }

        line.Clear();
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _writer.ConfigureAwait(false);
        if (_ownsOutput)
        {
            await _output.DisposeAsync().ConfigureAwait(false);
        }
    }

    [LoggerMessage(EventId = 700, Level = LogLevel.Warning, Message = "cannot write the access log to {Path}: {Reason}")]
    private static partial void LogWriteFailed(ILogger log, string path, string reason);
}
