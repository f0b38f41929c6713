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
    private readonly object[] _filters;

    private HttpAuthorization(object[] filters)
    {
        _filters = filters;
        Authenticates = filters.Any(f => f is JwtAuthnFilter);
    }

    /// <summary>The RBAC filters' counters, for the stats endpoint.</summary>
    public IEnumerable<RbacCounters> Counters => _filters.OfType<RbacFilter>().Select(f => f.Counters);

    /// <summary>The jwt_authn filters' counters, for the stats endpoint.</summary>
    public IEnumerable<JwtAuthnCounters> JwtCounters => _filters.OfType<JwtAuthnFilter>().Select(f => f.Counters);

    /// <summary>Whether a filter is one this compiles (jwt_authn, RBAC, ext_authz).</summary>
    public static bool Handles(string? typeUrl) => typeUrl is TypeUrls.HttpRbac or TypeUrls.HttpExtAuthz or TypeUrls.JwtAuthentication;

    /// <summary>The clock JWT expiry is judged by (tests set their own).</summary>
    internal static TimeProvider JwtClock { get; set; } = TimeProvider.System;

    /// <summary>Whether a jwt_authn filter is among these (then <see cref="EvaluateAsync"/> must be used).</summary>
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
                        (int)(extAuthz.StatusOnError?.Code ?? 0))));
                    break;
            }
        }

        return compiled.Count == 0 ? null : new HttpAuthorization(compiled.ToArray());
    }

    /// <summary>Runs the filters on a request, JWT authentication included (it may fetch a remote JWKS).</summary>
    public async ValueTask<(AuthorizationVerdict Verdict, bool ShadowDenied)> EvaluateAsync(AuthorizationInput input, CancellationToken cancel)
    {
        var shadowDenied = false;
        foreach (var filter in _filters)
        {
            if (filter is JwtAuthnFilter jwt)
            {
                var status = await jwt.RunAsync(input.Request!, input.Metadata, cancel).ConfigureAwait(false);
                if (status != JwtStatus.Ok)
                {
                    var message = status.Message();
                    return (new AuthorizationVerdict(false, status.HttpStatus(), message, $"jwt_authn_access_denied{{{message.Replace(' ', '_')}}}", string.Empty)
                    {
                        WwwAuthenticate = JwtAuthnFilter.Challenge(input.Request!, status),
                    }, shadowDenied);
                }

                continue;
            }

            if (Step(filter, input, ref shadowDenied) is { } verdict)
            {
                return (verdict, shadowDenied);
            }
        }

        return (AuthorizationVerdict.Allow, shadowDenied);
    }

    /// <summary>Runs the filters on a request that needs no JWT authentication.</summary>
    public AuthorizationVerdict Evaluate(AuthorizationInput input, out bool shadowDenied)
    {
        shadowDenied = false;
        foreach (var filter in _filters)
        {
            if (Step(filter, input, ref shadowDenied) is { } verdict)
            {
                return verdict;
            }
        }

        return AuthorizationVerdict.Allow;
    }

    /// <summary>One RBAC or ext_authz filter: its refusal, or null to go on.</summary>
    private static AuthorizationVerdict? Step(object filter, AuthorizationInput input, ref bool shadowDenied)
    {
        {
            if (filter is RbacFilter rbac)
            {
                var allowed = rbac.Allows(input, out var policy, out var shadow);
                shadowDenied |= shadow;
                if (!allowed)
                {
                    return AuthorizationVerdict.RbacDenied(policy);
                }
            }
            else if (filter is ExtAuthzFilter extAuthz && extAuthz.AppliesTo(input) && !extAuthz.AllowsWithoutService)
            {
                return new AuthorizationVerdict(false, extAuthz.StatusOnError, string.Empty, "ext_authz_error", ExtAuthzFilter.Flag);
            }
        }

        return null;
    }

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
