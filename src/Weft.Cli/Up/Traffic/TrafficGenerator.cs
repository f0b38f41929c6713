using System.Globalization;
using System.Net;
using System.Text.Json;
using Weft.Cli.Sample;

namespace Weft.Cli.Up.Traffic;

/// <summary>
/// Sends GET requests at a steady rate to each target through one HTTP endpoint (the client proxy's outbound listener),
/// naming the target in the Host header, and counts the answers by the version they carry (the <c>x-weft-version</c>
/// header, else the <c>version</c> of a JSON body) and the failures (status 500 and above, or no answer). Requests still
/// in flight when it stops are abandoned and not counted.
/// </summary>
internal sealed class TrafficGenerator : IAsyncDisposable
{
    /// <summary>The version counted for an answer that names none (an answer that is not from a sample workload).</summary>
    public const string NoVersion = "(none)";

    public static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(5);

    private readonly Uri _through;
    private readonly double _rate;
    private readonly TimeProvider _time;
    private readonly HttpClient _client;
    private readonly CancellationTokenSource _stop = new();
    private readonly object _gate = new();
    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task[] _loops = [];
    private long? _started;
    private TimeSpan? _ran;
    private int _inFlight;
    private volatile bool _stopping;
    private bool _draining;

    public TrafficGenerator(IPEndPoint through, IReadOnlyList<TrafficTarget> targets, double rate, TimeProvider time)
    {
        _through = new Uri($"http://{through}/");
        _rate = rate;
        _time = time;
        Stats = targets.Select(t => new TrafficStats(t, time)).ToArray();
        _client = new HttpClient(new SocketsHttpHandler
        {
            UseProxy = false,
            UseCookies = false,
            AllowAutoRedirect = false,
            ConnectTimeout = TimeSpan.FromSeconds(2),
        })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
    }

    /// <summary>One per target, in the order the targets were given.</summary>
    public IReadOnlyList<TrafficStats> Stats { get; }

    /// <summary>How long it has sent traffic, or sent it for once stopped.</summary>
    public TimeSpan Elapsed => _ran ?? (_started is { } started ? _time.GetElapsedTime(started) : TimeSpan.Zero);

    /// <summary>Starts one sending loop per target; each sends its first request after 1/rate seconds.</summary>
    public void Start()
    {
        _started = _time.GetTimestamp();
        _loops = Stats.Select(s => PaceAsync(s, _stop.Token)).ToArray();
    }

    /// <summary>
    /// From now on nothing more is counted. Called as soon as a stop is asked for, before anything else stops: a proxy that got
    /// the same Ctrl-C from the terminal may already be closing connections, and that is not a failure of the mesh.
    /// </summary>
    public void StopCounting()
    {
        if (!_stopping)
        {
            _ran = Elapsed;
            _stopping = true;
        }
    }

    /// <summary>Stops counting and sending, abandons what is in flight and returns when every request has finished.</summary>
    public async Task StopAsync()
    {
        StopCounting();
        await _stop.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(_loops).ConfigureAwait(false);
        lock (_gate)
        {
            _draining = true;
            if (_inFlight == 0)
            {
                _drained.TrySetResult();
            }
        }

        await _drained.Task.ConfigureAwait(false);
    }

    /// <summary>Keeps the number sent equal to rate × elapsed time, whatever the timer's granularity.</summary>
    private async Task PaceAsync(TrafficStats stats, CancellationToken stop)
    {
        var started = _time.GetTimestamp();
        var tick = TimeSpan.FromSeconds(Math.Clamp(1 / _rate, 0.005, 0.05));
        long sent = 0;
        while (!stop.IsCancellationRequested)
        {
            var due = (long)(_time.GetElapsedTime(started).TotalSeconds * _rate);
            for (; sent < due && !stop.IsCancellationRequested; sent++)
            {
                lock (_gate)
                {
                    _inFlight++;
                }

                _ = SendAsync(stats, stop);
            }

            try
            {
                await Task.Delay(tick, _time, stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    private async Task SendAsync(TrafficStats stats, CancellationToken stop)
    {
        try
        {
            using var timeout = new CancellationTokenSource(RequestTimeout, _time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(stop, timeout.Token);
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, _through);
                request.Headers.Host = stats.Target.Authority;
                using var response = await _client.SendAsync(request, HttpCompletionOption.ResponseContentRead, linked.Token).ConfigureAwait(false);
                var body = await response.Content.ReadAsStringAsync(linked.Token).ConfigureAwait(false);
                if (_stopping)
                {
                    return;
                }

                var status = (int)response.StatusCode;
                if (status >= 500)
                {
                    stats.Failed(FirstLine($"{status.ToString(CultureInfo.InvariantCulture)}: {body}"));
                }
                else
                {
                    stats.Answered(VersionOf(response, body));
                }
            }
            catch (Exception e) when (e is HttpRequestException or OperationCanceledException or IOException)
            {
                if (_stopping)
                {
                    return;
                }

                stats.Failed(timeout.IsCancellationRequested
                    ? $"no answer within {RequestTimeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s"
                    : FirstLine(e.InnerException is { } inner ? $"{e.Message.TrimEnd('.')}: {inner.Message}" : e.Message));
            }
        }
        finally
        {
            lock (_gate)
            {
                if (--_inFlight == 0 && _draining)
                {
                    _drained.TrySetResult();
                }
            }
        }
    }

    private static string VersionOf(HttpResponseMessage response, string body)
    {
        if (response.Headers.TryGetValues(SampleWorkload.VersionHeader, out var values) && values.FirstOrDefault() is { Length: > 0 } header)
        {
            return header;
        }

        try
        {
            using var json = JsonDocument.Parse(body);
            if (json.RootElement.ValueKind == JsonValueKind.Object
                && json.RootElement.TryGetProperty("version", out var version)
                && version.ValueKind == JsonValueKind.String
                && version.GetString() is { Length: > 0 } text)
            {
                return text;
            }
        }
        catch (JsonException)
        {
        }

        return NoVersion;
    }

    private static string FirstLine(string text)
    {
        var line = text.AsSpan().Trim();
        var end = line.IndexOfAny('\r', '\n');
        var first = (end < 0 ? line : line[..end]).ToString().TrimEnd(' ', ':');
        return first.Length > 100 ? first[..100] + "…" : first;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_drained.Task.IsCompleted)
        {
            await StopAsync().ConfigureAwait(false);
        }

        _client.Dispose();
        _stop.Dispose();
    }
}
