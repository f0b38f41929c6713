using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Weft.Proxy.Authentication;
using Weft.Proxy.Xds;
using Weft.Xds;
using Weft.Xds.Envoy.Extensions.Filters.Network.HttpConnectionManager.V3;
using HttpExtAuthz = Weft.Xds.Envoy.Extensions.Filters.Http.ExtAuthz.V3.ExtAuthz;
using HttpRbac = Weft.Xds.Envoy.Extensions.Filters.Http.Rbac.V3.RBAC;
using JwtAuthentication = Weft.Xds.Envoy.Extensions.Filters.Http.JwtAuthn.V3.JwtAuthentication;

namespace Weft.Proxy.Authorization;

/// <summary>
/// The authentication and authorization filters of a connection manager (jwt_authn, RBAC and ext_authz), compiled once per configuration and run in
/// the order of its <c>http_filters</c>, after the connection manager has processed the request and before routing.
/// The first filter that refuses decides; shadow rules are only counted and recorded.
/// </summary>
internal sealed class HttpAuthorization
{
    private static readonly Task<ExtAuthzResult> Unreachable = Task.FromResult(ExtAuthzResult.Error("no authorization service is asked"));

    private readonly object[] _filters;

    private HttpAuthorization(object[] filters)
    {
        _filters = filters;
        Authenticates = filters.Any(f => f is JwtAuthnFilter);
        HasExtAuthz = filters.Any(f => f is ExtAuthzFilter);
    }

    /// <summary>The RBAC filters' counters, for the stats endpoint.</summary>
    public IEnumerable<RbacCounters> Counters => _filters.OfType<RbacFilter>().Select(f => f.Counters);

    /// <summary>The ext_authz filters' counters, for the stats endpoint.</summary>
    public IEnumerable<ExtAuthzCounters> ExtAuthzCounters => _filters.OfType<ExtAuthzFilter>().Select(f => f.Counters);

    /// <summary>The largest request body any ext_authz filter sends to its service; null when none sends one.</summary>
    public int? MaxCheckedBody { get; private init; }

    /// <summary>The jwt_authn filters' counters, for the stats endpoint.</summary>
    public IEnumerable<JwtAuthnCounters> JwtCounters => _filters.OfType<JwtAuthnFilter>().Select(f => f.Counters);

    /// <summary>Whether a filter is one this compiles (jwt_authn, RBAC, ext_authz).</summary>
    public static bool Handles(string? typeUrl) => typeUrl is TypeUrls.HttpRbac or TypeUrls.HttpExtAuthz or TypeUrls.JwtAuthentication;

    /// <summary>The clock JWT expiry is judged by (tests set their own).</summary>
    internal static TimeProvider JwtClock { get; set; } = TimeProvider.System;

    /// <summary>Whether a jwt_authn filter is among these (its evaluation may wait for a remote JWKS).</summary>
    public bool Authenticates { get; }

    /// <summary>The authorization of a connection manager's filters (in order); null when it has none.</summary>
    public static HttpAuthorization? Compile(IEnumerable<HttpFilter> filters, string managerStatPrefix)
    {
        var compiled = new List<object>();
        foreach (var filter in filters)
        {
            switch (filter.TypedConfig?.TypeUrl)
            {
                case TypeUrls.HttpRbac:
                    var rbac = Unpack<HttpRbac>(filter.TypedConfig, filter.Name);
                    compiled.Add(Named(filter.Name, () => new RbacFilter(
                        RbacFilter.HttpName,
                        rbac.Rules is null ? null : RbacEngine.Compile(rbac.Rules),
                        rbac.ShadowRules is null ? null : RbacEngine.Compile(rbac.ShadowRules),
                        rbac.ShadowRulesStatPrefix,
                        new RbacCounters("http." + managerStatPrefix + ".", rbac.RulesStatPrefix, rbac.ShadowRulesStatPrefix))));
                    break;
                case TypeUrls.JwtAuthentication:
                    var jwt = Unpack<JwtAuthentication>(filter.TypedConfig, filter.Name);
                    compiled.Add(Named(filter.Name, () => JwtAuthnFilter.Compile(jwt, JwtClock, "http." + managerStatPrefix + ".")));
                    break;
                case TypeUrls.HttpExtAuthz:
                    var extAuthz = Unpack<HttpExtAuthz>(filter.TypedConfig, filter.Name);
                    compiled.Add(Named(filter.Name, () => new ExtAuthzFilter(
                        extAuthz.FilterEnabledMetadata is { } enabled ? MetadataValueMatch.Compile(enabled) : null,
                        extAuthz.FailureModeAllow,
                        extAuthz.FailureModeAllowHeaderAdd,
                        (int)(extAuthz.StatusOnError?.Code ?? 0),
                        extAuthz.ServicesCase switch
                        {
                            HttpExtAuthz.ServicesOneofCase.HttpService => ExtAuthzHttpService.Compile(extAuthz),
                            HttpExtAuthz.ServicesOneofCase.GrpcService => ExtAuthzGrpcService.Compile(extAuthz),
                            // No service to ask: every check it applies to is an error (fail closed unless failure_mode_allow).
                            _ => null,
                        },
                        new ExtAuthzCounters("http." + managerStatPrefix + "." + (extAuthz.StatPrefix.Length > 0 ? extAuthz.StatPrefix + "." : string.Empty)))));
                    break;
            }
        }

        var bodies = compiled.OfType<ExtAuthzFilter>().Select(f => f.Service?.MaxRequestBytes).Where(b => b is not null).ToArray();
        return compiled.Count == 0 ? null : new HttpAuthorization(compiled.ToArray()) { MaxCheckedBody = bodies.Length == 0 ? null : bodies.Max() };
    }

    /// <summary>
    /// Runs the filters on a request, in order; an ext_authz filter that applies asks its service through
    /// <paramref name="check"/>. The allowing answers of the services are returned in <paramref name="allowed"/> for the
    /// caller to apply (header edits), with whether a failed check let the request through.
    /// </summary>
    public async ValueTask<AuthorizationVerdict> EvaluateAsync(
        AuthorizationInput input, Func<ExtAuthzService, Task<ExtAuthzResult>> check, AuthorizationOutcomes outcomes, Authentication.JwksFetch? fetchJwks = null, CancellationToken cancel = default)
    {
        foreach (var filter in _filters)
        {
            if (filter is JwtAuthnFilter jwt)
            {
                var status = await jwt.RunAsync(input.Request!, input.Metadata, fetchJwks, cancel).ConfigureAwait(false);
                if (status != JwtStatus.Ok)
                {
                    var message = status.Message();
                    return new AuthorizationVerdict(false, status.HttpStatus(), message, $"jwt_authn_access_denied{{{message.Replace(' ', '_')}}}", string.Empty)
                    {
                        Headers = [new("www-authenticate", JwtAuthnFilter.Challenge(input.Request!, status))],
                    };
                }
            }
            else if (filter is RbacFilter rbac)
            {
                var allowed = rbac.Allows(input, out var policy, out var shadow);
                outcomes.ShadowDenied |= shadow;
                if (!allowed)
                {
                    return AuthorizationVerdict.RbacDenied(policy);
                }
            }
            else if (filter is ExtAuthzFilter extAuthz && extAuthz.AppliesTo(input))
            {
                var result = extAuthz.Service is { } service
                    ? await check(service).ConfigureAwait(false)
                    : ExtAuthzResult.Error("the ext_authz filter has no service to ask");
                extAuthz.Counters.Count(result.Outcome, extAuthz.AllowsWithoutService);
                switch (result.Outcome)
                {
                    case ExtAuthzOutcome.Ok:
                        outcomes.Allow(result);
                        break;
                    case ExtAuthzOutcome.Denied:
                        return new AuthorizationVerdict(false, result.Status, result.Body, "ext_authz_denied", ExtAuthzFilter.Flag) { Headers = result.ClientHeaders };
                    case ExtAuthzOutcome.Error when extAuthz.AllowsWithoutService:
                        outcomes.FailureModeAllowed |= extAuthz.MarksFailureModeAllowed;
                        break;
                    default:
                        return new AuthorizationVerdict(false, extAuthz.StatusOnError, string.Empty, "ext_authz_error", ExtAuthzFilter.Flag);
                }
            }
        }

        return AuthorizationVerdict.Allow;
    }

    /// <summary>
    /// Runs the filters without asking any authorization service: an ext_authz check that applies fails as a service
    /// out of reach does (offline decisions, such as the behaviour tables of the tests).
    /// </summary>
    public AuthorizationVerdict Evaluate(AuthorizationInput input, out bool shadowDenied)
    {
        var outcomes = new AuthorizationOutcomes();
        var verdict = Evaluate(input, outcomes);
        shadowDenied = outcomes.ShadowDenied;
        return verdict;
    }

    /// <summary>As <see cref="Evaluate(AuthorizationInput, out bool)"/>, leaving what the filters decided in <paramref name="outcomes"/>.</summary>
    public AuthorizationVerdict Evaluate(AuthorizationInput input, AuthorizationOutcomes outcomes)
    {
        var evaluation = EvaluateAsync(input, static _ => Unreachable, outcomes);
        return evaluation.IsCompleted ? evaluation.Result : evaluation.AsTask().GetAwaiter().GetResult();
    }

    /// <summary>Whether any filter here is an ext_authz filter (whose evaluation may have to wait for a service).</summary>
    public bool HasExtAuthz { get; }

    private static T Named<T>(string name, Func<T> compile)
    {
        try
        {
            return compile();
        }
        catch (XdsRejectedException e)
        {
            throw new XdsRejectedException($"HTTP filter {name}: {e.Message}");
        }
    }

    private static T Unpack<T>(Any any, string name)
        where T : class, IMessage<T>, new()
    {
        try
        {
            return any.Unpack<T>();
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new XdsRejectedException($"filter {name} does not decode: {e.Message}");
        }
    }
}
