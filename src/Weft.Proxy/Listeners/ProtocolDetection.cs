using System.Buffers;
using System.IO.Pipelines;
using Weft.Proxy.Snapshot.Listeners;

namespace Weft.Proxy.Listeners;

/// <summary>
/// The listener filters' work on a connection: look at the first bytes without consuming them (whatever comes next,
/// HTTP server or TCP proxy, reads them again) until the inspectors that run have decided, the client stops sending,
/// or the listener's timeout passes. Nothing is read when no inspector runs.
/// </summary>
internal static class ProtocolDetection
{
    /// <summary>
    /// What the inspectors saw; on timeout <see cref="DetectedProtocol.Raw"/> when the listener continues, null when it
    /// closes the connection.
    /// </summary>
    public static async ValueTask<DetectedProtocol?> DetectAsync(PipeReader input, Inspectors inspectors, TimeSpan timeout, bool continueOnTimeout, TimeProvider time)
    {
        if (!inspectors.Any)
        {
            return DetectedProtocol.Raw;
        }

        using var deadline = timeout == Timeout.InfiniteTimeSpan ? null : new CancellationTokenSource(timeout, time);
        while (true)
        {
            ReadResult read;
            try
            {
                read = await input.ReadAsync(deadline?.Token ?? CancellationToken.None).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (deadline?.IsCancellationRequested == true)
            {
                return continueOnTimeout ? DetectedProtocol.Raw : null;
            }

            var buffer = read.Buffer;
            var detected = Classify(buffer, inspectors, final: read.IsCompleted || read.IsCanceled);

            // Nothing consumed; everything examined while undecided, so the next read waits for more bytes.
            input.AdvanceTo(buffer.Start, detected is null ? buffer.End : buffer.Start);
            if (detected is not null)
            {
                return detected;
            }
        }
    }

    /// <summary>The verdict on the bytes so far; null while more bytes could change it (never when <paramref name="final"/>).</summary>
    public static DetectedProtocol? Classify(ReadOnlySequence<byte> buffer, Inspectors inspectors, bool final)
    {
        if (buffer.IsEmpty)
        {
            return final ? DetectedProtocol.Raw : null;
        }

        var limit = (int)Math.Min(buffer.Length, inspectors.Tls ? ClientHello.MaxLength : HttpRequestLine.MaxLength);
        var bytes = buffer.FirstSpan.Length >= limit ? buffer.FirstSpan[..limit] : buffer.Slice(0, limit).ToArray();
        if (inspectors.Tls)
        {
            switch (ClientHello.Parse(bytes, out var serverName, out var protocols))
            {
                case ClientHello.Outcome.Tls:
                    return new DetectedProtocol(DetectedProtocol.Tls, protocols, serverName);
                case ClientHello.Outcome.NeedMore when !final:
                    return null;
            }
        }

        if (inspectors.Http)
        {
            switch (HttpRequestLine.Classify(bytes, out var connect))
            {
                case HttpRequestLine.Outcome.Http11:
                    return connect ? DetectedProtocol.Http11Connect : DetectedProtocol.Http11;
                case HttpRequestLine.Outcome.Http10:
                    return connect ? DetectedProtocol.Http10Connect : DetectedProtocol.Http10;
                case HttpRequestLine.Outcome.H2c:
                    return DetectedProtocol.H2c;
                case HttpRequestLine.Outcome.NeedMore when !final:
                    return null;
            }
        }

        return DetectedProtocol.Raw;
    }
}
