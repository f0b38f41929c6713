namespace Weft.Proxy.Http.Retries;

/// <summary>
/// One try of a forwarded request: its cancellation (the route deadline, or the per-try timeout firing first) and the
/// retry decision taken on its response headers, before any of the response reaches the client. Once a response is let
/// through, the per-try timeout no longer applies, as in Envoy once the response has started downstream.
/// </summary>
internal sealed class UpstreamAttempt : IDisposable
{
    private readonly CancellationTokenSource _cancel;
    private readonly RetryState? _retry;
    private readonly ReplayableRequestBody? _body;
    private readonly bool _mirrorsNeedBody;
    private readonly ITimer? _perTry;
    private int _perTryFired;

    public UpstreamAttempt(TimeSpan perTryTimeout, TimeProvider time, RetryState? retry, ReplayableRequestBody? body, bool mirrorsNeedBody, CancellationToken deadline)
    {
        _cancel = CancellationTokenSource.CreateLinkedTokenSource(deadline);
        _retry = retry;
        _body = body;
        _mirrorsNeedBody = mirrorsNeedBody;
        if (perTryTimeout > TimeSpan.Zero)
        {
            _perTry = time.CreateTimer(static s => ((UpstreamAttempt)s!).OnPerTryTimeout(), this, perTryTimeout, Timeout.InfiniteTimeSpan);
        }
    }

    public CancellationToken Token => _cancel.Token;

    public bool PerTryTimedOut => Volatile.Read(ref _perTryFired) == 1;

    /// <summary>The retry policy's verdict on the response headers, when it was asked.</summary>
    public RetryDecision ResponseDecision { get; private set; }

    /// <summary>Whether the response is let through to the client; false when it is dropped for a retry.</summary>
    public bool Accept(HttpResponseMessage response)
    {
        if (_retry is { Enabled: true } && (_body is null || _body.CanReplay))
        {
            ResponseDecision = _retry.ForResponse(response);
            if (ResponseDecision == RetryDecision.Retry)
            {
                return false;
            }
        }

        _perTry?.Dispose();
        if (!_mirrorsNeedBody)
        {
            _body?.StopKeeping();
        }

        return true;
    }

    public void Dispose()
    {
        _perTry?.Dispose();
        _cancel.Dispose();
    }

    private void OnPerTryTimeout()
    {
        if (Interlocked.Exchange(ref _perTryFired, 1) == 0)
        {
            try
            {
                _cancel.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // The attempt ended as the timer fired.
            }
        }
    }
}
