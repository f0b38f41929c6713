using System.Text;
using Weft.Api.GoCompat;
using Weft.Api.Model.Networking;
using Weft.Api.Validation.Rules;

namespace Weft.Api.Validation.Traffic;

/// <summary>Istio's checks of one VirtualService HTTP route (<c>validateHTTPRoute</c> and what it calls).</summary>
internal static class HttpRouteRules
{
    private const int Kilobyte = 1024;
    private const int Megabyte = 1024 * Kilobyte;

    private static readonly HashSet<string> CorsMethods = new(StringComparer.Ordinal)
    {
        "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "CONNECT", "OPTIONS", "TRACE", "*",
    };

    private static readonly HashSet<string> GrpcStatuses = new(StringComparer.Ordinal)
    {
        "OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND", "ALREADY_EXISTS",
        "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE", "UNIMPLEMENTED",
        "INTERNAL", "UNAVAILABLE", "DATA_LOSS", "UNAUTHENTICATED",
    };

    private static readonly HashSet<string> RetryOnPolicies = new(StringComparer.Ordinal)
    {
        "5xx", "gateway-error", "reset", "reset-before-request", "connect-failure", "retriable-4xx", "refused-stream",
        "retriable-status-codes", "retriable-headers", "envoy-ratelimited", "http3-post-connect-failure",
        "cancelled", "deadline-exceeded", "internal", "resource-exhausted", "unavailable",
    };

    /// <summary>
    /// Checks <paramref name="route"/> at <paramref name="path"/> (e.g. <c>spec.http[0]</c>).
    /// <paramref name="delegate"/> is true when the VirtualService has no hosts (it is a delegate).
    /// </summary>
    public static void Validate(ValidationContext context, string path, HTTPRoute route, bool @delegate, bool gatewaySemantics)
    {
        ValidateConflicts(context, path, route, @delegate);
        ValidateMatches(context, path, route.Match);
        HttpHeaders.ValidateOperations(context, path + ".headers", route.Headers);
        ValidateCors(context, path + ".corsPolicy", route.CorsPolicy);
        ValidateFault(context, path + ".fault", route.Fault);

        if (route.MirrorPercent is { } mirrorPercent)
        {
            if (mirrorPercent > 100)
            {
                context.Error(path + ".mirrorPercent", $"mirror_percent must have a max value of 100 (it has {mirrorPercent})");
            }

            context.Warning(path + ".mirrorPercent", "using deprecated setting \"mirrorPercent\", use \"mirrorPercentage\" instead");
        }

        if (route.MirrorPercentage is { } mirrorPercentage)
        {
            var value = mirrorPercentage.Value ?? 0;
            if (value > 100)
            {
                context.Error(path + ".mirrorPercentage.value", $"mirror_percentage must have a max value of 100 (it has {GoFloatFormat.FormatFixed(value)})");
            }

            if (value < 0)
            {
                context.Error(path + ".mirrorPercentage.value", $"mirror_percentage must have a min value of 0 (it has {GoFloatFormat.FormatFixed(value)})");
            }
        }

        Destinations.Validate(context, path + ".mirror", route.Mirror);
        ValidateMirrors(context, path + ".mirrors", route.Mirrors);
        ValidateRedirect(context, path + ".redirect", route.Redirect, route.Match);
        ValidateDirectResponse(context, path + ".directResponse", route.DirectResponse);
        ValidateRetry(context, path + ".retries", route.Retries);
        ValidateRewrite(context, path + ".rewrite", route.Rewrite);
        ValidateAuthorityRewrite(context, path, route.Rewrite, route.Headers);
        Destinations.ValidateHttpRoutes(context, path + ".route", route.Route, gatewaySemantics);
        if (route.Timeout is { } timeout && Durations.Validate(timeout) is { } timeoutError)
        {
            context.Error(path + ".timeout", timeoutError);
        }
    }

    private static bool HasRoute(HTTPRoute route) => route.Route is { Count: > 0 };

    private static void ValidateConflicts(ValidationContext context, string path, HTTPRoute route, bool @delegate)
    {
        if (!@delegate && route.Delegate is not null)
        {
            // A root route may only delegate.
            if (route.Redirect is not null)
            {
                context.Error(path + ".redirect", $"root HTTP route {route.Name} must not specify redirect");
            }

            if (HasRoute(route))
            {
                context.Error(path + ".route", $"root HTTP route {route.Name} must not specify route");
            }

            return;
        }

        if (@delegate && route.Delegate is not null)
        {
            context.Error(path + ".delegate", "delegate HTTP route cannot contain delegate");
        }

        if (route.Redirect is not null)
        {
            if (HasRoute(route))
            {
                context.Error(path, "HTTP route cannot contain both route and redirect");
            }

            if (route.Fault is not null)
            {
                context.Error(path, "HTTP route cannot contain both fault and redirect");
            }

            if (route.Rewrite is not null)
            {
                context.Error(path, "HTTP route rule cannot contain both rewrite and redirect");
            }

            if (route.DirectResponse is not null)
            {
                context.Error(path, "HTTP route rule cannot contain both direct_response and redirect");
            }
        }
        else if (route.DirectResponse is not null)
        {
            if (HasRoute(route))
            {
                context.Error(path, "HTTP route cannot contain both route and direct_response");
            }

            if (route.Fault is not null)
            {
                context.Error(path, "HTTP route cannot contain both fault and direct_response");
            }

            if (route.Rewrite is not null)
            {
                context.Error(path, "HTTP route rule cannot contain both rewrite and direct_response");
            }
        }
        else if (!HasRoute(route))
        {
            context.Error(path, "HTTP route, redirect or direct_response is required");
        }

        if (route.Mirror is not null && route.Mirrors is { Count: > 0 })
        {
            context.Error(path, "HTTP route cannot contain both mirror and mirrors");
        }
    }

    private static void ValidateMatches(ValidationContext context, string path, IReadOnlyList<HTTPMatchRequest>? matches)
    {
        if (matches is null)
        {
            return;
        }

        for (var i = 0; i < matches.Count; i++)
        {
            var match = matches[i];
            var p = $"{path}.match[{i}]";
            if (match.Headers is { } headers)
            {
                foreach (var (name, value) in headers)
                {
                    var hp = $"{p}.headers[{name}]";
                    if (HttpHeaders.ValidateMatchName(name) is { } nameError)
                    {
                        context.Error(hp, nameError);
                    }

                    if (StringMatches.Validate(value, "headers") is { } valueError)
                    {
                        context.Error(hp, valueError);
                    }
                }
            }

            if (match.WithoutHeaders is { } withoutHeaders)
            {
                foreach (var (name, value) in withoutHeaders)
                {
                    var hp = $"{p}.withoutHeaders[{name}]";
                    if (HttpHeaders.ValidateMatchName(name) is { } nameError)
                    {
                        context.Error(hp, nameError);
                    }

                    // A regex of "*" means "header present" and is no RE2 pattern.
                    if (value.Regex != "*" && StringMatches.Validate(value, "withoutHeaders") is { } valueError)
                    {
                        context.Error(hp, valueError);
                    }
                }
            }

            // An empty URI prefix is allowed; scheme, method and authority prefixes are not.
            Report(context, p + ".uri", StringMatches.ValidateRegex(match.Uri, "uri"));
            Report(context, p + ".scheme", StringMatches.Validate(match.Scheme, "scheme"));
            Report(context, p + ".method", StringMatches.Validate(match.Method, "method"));
            Report(context, p + ".authority", StringMatches.Validate(match.Authority, "authority"));
            if (match.QueryParams is { } queryParams)
            {
                foreach (var (name, value) in queryParams)
                {
                    Report(context, $"{p}.queryParams[{name}]", StringMatches.Validate(value, "queryParams"));
                }
            }
        }

        for (var i = 0; i < matches.Count; i++)
        {
            var match = matches[i];
            var p = $"{path}.match[{i}]";
            if (match.Port is { } port and not 0)
            {
                Report(context, p + ".port", Ports.Validate(port));
            }

            LabelInstances.Validate(context, p + ".sourceLabels", match.SourceLabels);
            GatewayReferences.Validate(context, p + ".gateways", match.Gateways, gatewaySemantics: false);
            if (!string.IsNullOrEmpty(match.SourceNamespace) && !DnsNames.IsDns1123Label(match.SourceNamespace))
            {
                context.Error(p + ".sourceNamespace", $"sourceNamespace match {match.SourceNamespace} is invalid");
            }
        }
    }

    private static void Report(ValidationContext context, string path, string? error)
    {
        if (error is not null)
        {
            context.Error(path, error);
        }
    }

    private static void ValidateCors(ValidationContext context, string path, CorsPolicy? policy)
    {
        if (policy is null)
        {
            return;
        }

        if (policy.AllowOrigins is { } origins)
        {
            for (var i = 0; i < origins.Count; i++)
            {
                var origin = origins[i];
                var p = $"{path}.allowOrigins[{i}]";
                var value = StringMatches.ValueOf(origin);
                if (value.Length == 0)
                {
                    context.Error(p, $"'{value}' is not a valid match type for CORS allow origins");
                }
                else
                {
                    Report(context, p, StringMatches.ValidateRegex(origin, "corsPolicy.allowOrigins"));
                }
            }
        }

        if (policy.AllowMethods is { } methods)
        {
            for (var i = 0; i < methods.Count; i++)
            {
                if (!CorsMethods.Contains(methods[i]))
                {
                    context.Error($"{path}.allowMethods[{i}]", $"{GoStrconv.Quote(methods[i])} is not a supported HTTP method");
                }
            }
        }

        CheckCorsHeaders(context, path + ".allowHeaders", policy.AllowHeaders);
        CheckCorsHeaders(context, path + ".exposeHeaders", policy.ExposeHeaders);

        if (policy.MaxAge is { } maxAge)
        {
            if (!GoDuration.TryParse(maxAge, out var nanos, out var parseError))
            {
                context.Error(path + ".maxAge", "bad Duration: " + parseError);
            }
            else
            {
                Report(context, path + ".maxAge", Durations.ValidateNanoseconds(nanos));
                if (nanos % Durations.NanosPerSecond > 0)
                {
                    context.Error(path + ".maxAge", "max_age duration is accurate only to seconds precision");
                }
            }
        }
    }

    private static void CheckCorsHeaders(ValidationContext context, string path, IReadOnlyList<string>? names)
    {
        if (names is null)
        {
            return;
        }

        for (var i = 0; i < names.Count; i++)
        {
            Report(context, $"{path}[{i}]", HttpHeaders.ValidateCorsName(names[i]));
        }
    }

    private static void ValidateFault(ValidationContext context, string path, HTTPFaultInjection? fault)
    {
        if (fault is null)
        {
            return;
        }

        if (fault.Abort is null && fault.Delay is null)
        {
            context.Error(path, "HTTP fault injection must have an abort and/or a delay");
        }

        if (fault.Abort is { } abort)
        {
            var p = path + ".abort";
            Report(context, p + ".percentage.value", ValidatePercentage(abort.Percentage));
            if (abort.GrpcStatus is { } grpcStatus)
            {
                if (!GrpcStatuses.Contains(grpcStatus))
                {
                    context.Error(p + ".grpcStatus", $"gRPC status {GoStrconv.Quote(grpcStatus)} is not supported. See https://github.com/grpc/grpc/blob/master/doc/statuscodes.md for a list of supported codes, for example 'NOT_FOUND'");
                }
            }
            else if (abort.Http2Error is not null)
            {
                context.Error(p + ".http2Error", "HTTP/2 abort fault injection not supported yet");
            }
            else if (abort.HttpStatus is { } httpStatus)
            {
                Report(context, p + ".httpStatus", ValidateHttpStatus(httpStatus));
            }
            else
            {
                context.Warning(p, "abort configured, but error type not set");
            }
        }

        if (fault.Delay is { } delay)
        {
            var p = path + ".delay";
            Report(context, p + ".percentage.value", ValidatePercentage(delay.Percentage));
            if (delay.FixedDelay is { } fixedDelay)
            {
                Report(context, p + ".fixedDelay", Durations.Validate(fixedDelay));
            }
            else if (delay.ExponentialDelay is { } exponentialDelay)
            {
                Report(context, p + ".exponentialDelay", Durations.Validate(exponentialDelay));
                context.Error(p + ".exponentialDelay", "exponentialDelay not supported yet");
            }
        }
    }

    /// <summary><c>validatePercentage</c>: 0, or between 0.0001 and 100.</summary>
    public static string? ValidatePercentage(Percent? percentage)
    {
        if (percentage is null)
        {
            return null;
        }

        var value = percentage.Value ?? 0;
        return value < 0 || value > 100 || (value > 0 && value < 0.0001)
            ? $"percentage {GoFloatFormat.FormatG(value)} is neither 0.0, nor in range [0.0001, 100.0]"
            : null;
    }

    /// <summary>Istio accepts 200 through 600 (its message says 200-599).</summary>
    public static string? ValidateHttpStatus(long status)
    {
        var value = unchecked((int)status);
        return value is < 200 or > 600 ? $"HTTP status {value} is not in range 200-599" : null;
    }

    private static void ValidateMirrors(ValidationContext context, string path, IReadOnlyList<HTTPMirrorPolicy>? mirrors)
    {
        if (mirrors is null)
        {
            return;
        }

        for (var i = 0; i < mirrors.Count; i++)
        {
            var mirror = mirrors[i];
            var p = $"{path}[{i}]";
            if (mirror.Destination is null)
            {
                context.Error(p + ".destination", "destination is required for mirrors");
                continue;
            }

            Destinations.Validate(context, p + ".destination", mirror.Destination);
            if (mirror.Percentage is { } percentage)
            {
                var value = percentage.Value ?? 0;
                if (value > 100)
                {
                    context.Error(p + ".percentage.value", $"mirror percentage must have a max value of 100 (it has {GoFloatFormat.FormatFixed(value)})");
                }

                if (value < 0)
                {
                    context.Error(p + ".percentage.value", $"mirror percentage must have a min value of 0 (it has {GoFloatFormat.FormatFixed(value)})");
                }
            }
        }
    }

    // Istio stops at the first problem of a redirect.
    private static void ValidateRedirect(ValidationContext context, string path, HTTPRedirect? redirect, IReadOnlyList<HTTPMatchRequest>? matches)
    {
        if (redirect is null)
        {
            return;
        }

        var uri = redirect.Uri ?? string.Empty;
        var prefixRewrite = redirect.PrefixRewrite ?? string.Empty;
        if (uri.Length > 0 && prefixRewrite.Length > 0)
        {
            context.Error(path, "redirect may only specify one of uri or prefix_rewrite");
            return;
        }

        if (prefixRewrite.Length > 0 && matches is not null)
        {
            foreach (var match in matches)
            {
                if (match.Uri is not null && StringMatches.KindOf(match.Uri) != StringMatchKind.Prefix)
                {
                    context.Error(path + ".prefixRewrite", "redirect prefix_rewrite requires all URI matches to use prefix match type");
                    return;
                }
            }
        }

        var hasPort = redirect.Port is not null || redirect.DerivePort is not null;
        if (uri.Length == 0 && prefixRewrite.Length == 0 && string.IsNullOrEmpty(redirect.Authority) && !hasPort && string.IsNullOrEmpty(redirect.Scheme))
        {
            context.Error(path, "redirect must specify URI, authority, scheme, or port");
            return;
        }

        if (redirect.RedirectCode is { } code and not 0 && code is < 300 or > 399)
        {
            context.Error(path + ".redirectCode", $"{code} is not a valid redirect code, must be 3xx");
            return;
        }

        if (!string.IsNullOrEmpty(redirect.Scheme) && redirect.Scheme is not "http" and not "https")
        {
            context.Error(path + ".scheme", "invalid redirect scheme, must be \"http\" or \"https\"");
            return;
        }

        if (redirect.Port is { } port and > 0)
        {
            Report(context, path + ".port", Ports.Validate(port));
        }
    }

    private static void ValidateDirectResponse(ValidationContext context, string path, HTTPDirectResponse? directResponse)
    {
        if (directResponse is null)
        {
            return;
        }

        if (directResponse.Body is { } body)
        {
            var size = body.String is { } text ? Encoding.UTF8.GetByteCount(text)
                : body.Bytes is { } bytes ? DecodedLength(bytes)
                : 0;
            if (size > Megabyte)
            {
                context.Error(path + ".body", "large direct_responses may impact control plane performance, must be less than 1MB");
            }
            else if (size > 100 * Kilobyte)
            {
                context.Warning(path + ".body", "large direct_responses may impact control plane performance");
            }
        }

        Report(context, path + ".status", ValidateHttpStatus(directResponse.Status ?? 0));
    }

    // Bytes arrive base64-encoded in YAML; Istio measures the decoded bytes.
    private static int DecodedLength(string base64)
    {
        var length = base64.Length;
        while (length > 0 && base64[length - 1] == '=')
        {
            length--;
        }

        return (int)((long)length * 3 / 4);
    }

    private static void ValidateRetry(ValidationContext context, string path, HTTPRetry? retries)
    {
        if (retries is null)
        {
            return;
        }

        var attempts = retries.Attempts ?? 0;
        if (attempts < 0)
        {
            context.Error(path + ".attempts", "attempts cannot be negative");
        }

        if (attempts == 0 && (retries.PerTryTimeout is not null || !string.IsNullOrEmpty(retries.RetryOn) || retries.RetryRemoteLocalities is not null))
        {
            context.Error(path, "http retry policy configured when attempts are set to 0 (disabled)");
        }

        if (retries.PerTryTimeout is { } perTryTimeout)
        {
            Report(context, path + ".perTryTimeout", Durations.Validate(perTryTimeout));
        }

        if (!string.IsNullOrEmpty(retries.RetryOn))
        {
            foreach (var policy in retries.RetryOn.Split(','))
            {
                var code = GoStrconv.TryAtoi(policy, out var n) ? n : 0;
                if (!IsKnownHttpStatus(code) && !RetryOnPolicies.Contains(policy))
                {
                    context.Error(path + ".retryOn", $"{GoStrconv.Quote(policy)} is not a valid retryOn policy");
                }
            }
        }

        if (retries.Backoff is { } backoff)
        {
            Report(context, path + ".backoff", Durations.Validate(backoff));
        }
    }

    /// <summary>The status codes Go's net/http has a text for (a retryOn entry may be one of them).</summary>
    private static bool IsKnownHttpStatus(long code) => code switch
    {
        >= 100 and <= 103 => true,
        >= 200 and <= 208 => true,
        226 => true,
        >= 300 and <= 305 => true,
        307 or 308 => true,
        >= 400 and <= 418 => true,
        421 or 422 or 423 or 424 or 425 or 426 or 428 or 429 or 431 or 451 => true,
        >= 500 and <= 508 => true,
        510 or 511 => true,
        _ => false,
    };

    // Istio stops at the first problem of a rewrite.
    private static void ValidateRewrite(ValidationContext context, string path, HTTPRewrite? rewrite)
    {
        if (rewrite is null)
        {
            return;
        }

        var uri = rewrite.Uri ?? string.Empty;
        if (uri.Length > 0 && rewrite.UriRegexRewrite is not null)
        {
            context.Error(path, "rewrite may only contain one of URI or UriRegexRewrite");
            return;
        }

        if (uri.Length == 0 && rewrite.UriRegexRewrite is null && string.IsNullOrEmpty(rewrite.Authority))
        {
            context.Error(path, "rewrite must specify at least one of URI, UriRegexRewrite, or authority. Only one of URI or UriRegexRewrite may be specified");
            return;
        }

        if (rewrite.UriRegexRewrite is { } regexRewrite)
        {
            var p = path + ".uriRegexRewrite";
            if (string.IsNullOrEmpty(regexRewrite.Match) || string.IsNullOrEmpty(regexRewrite.Rewrite))
            {
                context.Error(p, "UriRegexRewrite has errors: UriRegexRewrite requires both Rewrite and Match fields to be specified");
            }
            else if (RegexSyntax.ValidateIstio(regexRewrite.Match, "HTTPRewrite.UriRegexRewrite.Match") is { } error)
            {
                context.Error(p + ".match", "UriRegexRewrite has errors: " + error);
            }
        }
    }

    // The authority may be rewritten in one place only: rewrite.authority or one :authority/host request header.
    private static void ValidateAuthorityRewrite(ValidationContext context, string path, HTTPRewrite? rewrite, Headers? headers)
    {
        var current = rewrite?.Authority ?? string.Empty;
        var request = headers?.Request;
        foreach (var (field, map) in (ReadOnlySpan<(string, IReadOnlyDictionary<string, string>?)>)[("set", request?.Set), ("add", request?.Add)])
        {
            if (map is null)
            {
                continue;
            }

            foreach (var (name, value) in map)
            {
                if (!HttpHeaders.IsAuthority(name))
                {
                    continue;
                }

                if (current.Length > 0)
                {
                    context.Error($"{path}.headers.request.{field}[{name}]", $"authority header cannot be set multiple times: have {GoStrconv.Quote(current)}, attempting to set {GoStrconv.Quote(value)}");
                    return;
                }

                current = value;
            }
        }
    }
}
