using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using Weft.Proxy.Snapshot.Matching;
using Weft.Proxy.Snapshot.Routes;

namespace Weft.Proxy.Http.Retries;

/// <summary>
/// One request's retries, as Envoy's retry state keeps them: the route's (or virtual host's) policy merged with the
/// request's <c>x-envoy-retry-on</c>, <c>x-envoy-retry-grpc-on</c>, <c>x-envoy-max-retries</c>,
/// <c>x-envoy-retriable-status-codes</c> and <c>x-envoy-retriable-header-names</c> (which the connection manager has
/// already removed unless the request is internal), the retries left, the back-off and the hosts tried.
/// </summary>
internal sealed class RetryState
{
    public const string RetryOnHeader = "x-envoy-retry-on";
    public const string RetryGrpcOnHeader = "x-envoy-retry-grpc-on";
    public const string MaxRetriesHeader = "x-envoy-max-retries";
    public const string RetriableStatusCodesHeader = "x-envoy-retriable-status-codes";
    public const string RetriableHeaderNamesHeader = "x-envoy-retriable-header-names";
    public const string HedgeOnPerTryTimeoutHeader = "x-envoy-hedge-on-per-try-timeout";

    private readonly RetryConditions _retryOn;
    private readonly IReadOnlyList<uint> _statusCodes;
    private readonly IReadOnlyList<HeaderMatch> _retriableHeaders;
    private readonly Func<ulong> _random;
    private BackOff? _backOff;
    private uint _remaining;

    private RetryState(RetryPolicyModel policy, RetryConditions retryOn, uint remaining, IReadOnlyList<uint> statusCodes, IReadOnlyList<HeaderMatch> retriableHeaders, Func<ulong> random)
    {
        Policy = policy;
        _retryOn = retryOn;
        _remaining = remaining;
        _statusCodes = statusCodes;
        _retriableHeaders = retriableHeaders;
        _random = random;
    }

    private static readonly string[] ConsumedHeaders =
        [RetryOnHeader, RetryGrpcOnHeader, MaxRetriesHeader, RetriableStatusCodesHeader, RetriableHeaderNamesHeader, HedgeOnPerTryTimeoutHeader];

    private bool _holdsRetry;

    public RetryPolicyModel Policy { get; }

    /// <summary>Whether any condition can lead to a retry.</summary>
    public bool Enabled => _retryOn != RetryConditions.None;

    /// <summary>
    /// The request's retry state. The retry headers are read and then removed, so they never reach the upstream.
    /// </summary>
    public static RetryState Create(RetryPolicyModel policy, IHeaderDictionary headers, Func<ulong> random) =>
        Create(policy, headers, random, Http.RequestHeaders.HasEnvoyHeader(headers));

    /// <summary>
    /// As <see cref="Create(RetryPolicyModel, IHeaderDictionary, Func{ulong})"/>; <paramref name="envoyHeaders"/> false
    /// says the request carries no <c>x-envoy-*</c> header (<see cref="Http.RequestHeaders.HasEnvoyHeader"/>), so none of
    /// the retry headers is looked for.
    /// </summary>
    public static RetryState Create(RetryPolicyModel policy, IHeaderDictionary headers, Func<ulong> random, bool envoyHeaders)
    {
        var retryOn = policy.RetryOn;
        if (envoyHeaders)
        {
            retryOn |= RetryConditionNames.ParseHttp(headers[RetryOnHeader].ToString()) | RetryConditionNames.ParseGrpc(headers[RetryGrpcOnHeader].ToString());
        }

        if (policy.RetriableRequestHeaders.Count > 0 && !policy.RetriableRequestHeaders.Any(m => m.MatchesValue(Joined(headers, m.Name))))
        {
            retryOn = RetryConditions.None;
        }

        var remaining = policy.NumRetries;
        var codes = policy.RetriableStatusCodes;
        var retriableHeaders = policy.RetriableHeaders;
        if (!envoyHeaders)
        {
            return new RetryState(policy, retryOn, remaining, codes, retriableHeaders, random);
        }

        if (retryOn != RetryConditions.None
            && uint.TryParse(headers[MaxRetriesHeader].ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var fromHeader))
        {
            remaining = fromHeader;
        }

        if (headers.TryGetValue(RetriableStatusCodesHeader, out var extraCodes))
        {
            codes = [.. codes, .. extraCodes.ToString().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(c => uint.TryParse(c, NumberStyles.None, CultureInfo.InvariantCulture, out var code) ? code : (uint?)null)
                .OfType<uint>()];
        }

        if (headers.TryGetValue(RetriableHeaderNamesHeader, out var names))
        {
            retriableHeaders = [.. retriableHeaders, .. names.ToString().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(n => HeaderMatch.Presence(n.ToLowerInvariant()))];
        }

        foreach (var consumed in ConsumedHeaders)
        {
            headers.Remove(consumed);
        }

        return new RetryState(policy, retryOn, remaining, codes, retriableHeaders, random);
    }

    /// <summary>The wait before the next retry.</summary>
    public TimeSpan NextBackOff() =>
        (_backOff ??= new BackOff(Policy.BaseInterval, Policy.MaxInterval ?? Policy.BaseInterval * 10, _random)).Next();

    /// <summary>Envoy's decision on response headers (before any of the response has gone to the client).</summary>
    public RetryDecision ForResponse(HttpResponseMessage response) => Decide(WouldRetry(response));

    /// <summary>Envoy's decision on an attempt that got no response; <paramref name="requestStarted"/> when bytes may have gone upstream.</summary>
    public RetryDecision ForFailure(AttemptFailure failure, bool requestStarted) => Decide(WouldRetry(failure, requestStarted));

    /// <summary>
    /// The cluster's retry circuit breaker: each retry takes a place from it and holds it until the retried attempt ends
    /// (the next decision, or <see cref="Finish"/>); null when nothing limits retries.
    /// </summary>
    public (Func<bool> Acquire, Action Release)? Budget { get; set; }

    /// <summary>Gives back the place a retry holds in the retry circuit breaker, if any.</summary>
    public void Finish()
    {
        if (_holdsRetry)
        {
            _holdsRetry = false;
            Budget?.Release();
        }
    }

    private RetryDecision Decide(bool wouldRetry)
    {
        Finish();
        if (!wouldRetry)
        {
            return RetryDecision.No;
        }

        if (_remaining == 0)
        {
            return RetryDecision.LimitExceeded;
        }

        if (Budget is { } budget)
        {
            if (!budget.Acquire())
            {
                return RetryDecision.Overflow;
            }

            _holdsRetry = true;
        }

        _remaining--;
        return RetryDecision.Retry;
    }

    private bool WouldRetry(HttpResponseMessage response)
    {
        // A response rate-limited by an upstream Envoy is retried only when the policy asks for exactly that.
        if (response.Headers.Contains("x-envoy-ratelimited"))
        {
            return Has(RetryConditions.EnvoyRateLimited);
        }

        var status = (int)response.StatusCode;
        if ((Has(RetryConditions.ServerError) && status is >= 500 and < 600)
            || (Has(RetryConditions.GatewayError) && status is 502 or 503 or 504)
            || (Has(RetryConditions.Retriable4xx) && status == 409)
            || (Has(RetryConditions.RetriableStatusCodes) && _statusCodes.Contains((uint)status)))
        {
            return true;
        }

        if (Has(RetryConditions.RetriableHeaders) && _retriableHeaders.Any(m => m.MatchesValue(ResponseHeader(response, m.Name))))
        {
            return true;
        }

        // grpc-status in the response headers: a trailers-only answer (a status in trailers comes too late to retry).
        if ((_retryOn & RetryConditions.AnyGrpc) != 0
            && response.Headers.TryGetValues("grpc-status", out var values)
            && int.TryParse(values.FirstOrDefault(), NumberStyles.None, CultureInfo.InvariantCulture, out var grpc))
        {
            return grpc switch
            {
                1 => Has(RetryConditions.GrpcCancelled),
                4 => Has(RetryConditions.GrpcDeadlineExceeded),
                8 => Has(RetryConditions.GrpcResourceExhausted),
                13 => Has(RetryConditions.GrpcInternal),
                14 => Has(RetryConditions.GrpcUnavailable),
                _ => false,
            };
        }

        return false;
    }

    private bool WouldRetry(AttemptFailure failure, bool requestStarted) =>
        (failure == AttemptFailure.ConnectFailure && Has(RetryConditions.ConnectFailure))
        || (Has(RetryConditions.ResetBeforeRequest) && !requestStarted)
        || Has(RetryConditions.Reset)
        || Has(RetryConditions.ServerError)
        || Has(RetryConditions.GatewayError)
        || (failure == AttemptFailure.RefusedStream && Has(RetryConditions.RefusedStream));

    private bool Has(RetryConditions condition) => (_retryOn & condition) != 0;

    private static string? Joined(IHeaderDictionary headers, string name) =>
        headers.TryGetValue(name, out var values) ? (string?)values.ToString() : null;

    /// <summary>A response header as header matchers see it: <c>:status</c>, or all values joined by commas; null when absent.</summary>
    private static string? ResponseHeader(HttpResponseMessage response, string name)
    {
        if (name == ":status")
        {
            return ((int)response.StatusCode).ToString(CultureInfo.InvariantCulture);
        }

        if (response.Headers.TryGetValues(name, out var values) || response.Content.Headers.TryGetValues(name, out values))
        {
            return string.Join(',', values);
        }

        return null;
    }
}
