using Weft.Proxy.Xds;
using Weft.Xds.Envoy.Config.Route.V3;
using EnvoyHashPolicy = Weft.Xds.Envoy.Config.Route.V3.RouteAction.Types.HashPolicy;

namespace Weft.Proxy.Snapshot.Routes.Hashing;

/// <summary>Compiles a route's <c>hash_policy</c> entries; none (or only disabled source-IP entries) compiles to null.</summary>
internal static class HashPolicyCompiler
{
    public static HashPolicy? Compile(IEnumerable<EnvoyHashPolicy> policies)
    {
        var methods = new List<HashMethod>();
        foreach (var policy in policies)
        {
            switch (policy.PolicySpecifierCase)
            {
                case EnvoyHashPolicy.PolicySpecifierOneofCase.Header:
                    if (policy.Header.HeaderName.Length == 0)
                    {
                        throw new XdsRejectedException("a header hash policy names no header");
                    }

                    methods.Add(new HeaderHash(policy.Header.HeaderName.ToLowerInvariant(), RouteCompiler.Rewrite(policy.Header.RegexRewrite), policy.Terminal));
                    break;
                case EnvoyHashPolicy.PolicySpecifierOneofCase.Cookie:
                    if (policy.Cookie.Name.Length == 0)
                    {
                        throw new XdsRejectedException("a cookie hash policy names no cookie");
                    }

                    methods.Add(new CookieHash(
                        policy.Cookie.Name,
                        policy.Cookie.Ttl?.ToTimeSpan(),
                        policy.Cookie.Path,
                        policy.Cookie.Attributes.Select(a => (a.Name, a.Value)).ToArray(),
                        policy.Terminal));
                    break;
                case EnvoyHashPolicy.PolicySpecifierOneofCase.ConnectionProperties:
                    if (policy.ConnectionProperties.SourceIp)
                    {
                        methods.Add(new SourceIpHash(policy.Terminal));
                    }

                    break;
                case EnvoyHashPolicy.PolicySpecifierOneofCase.QueryParameter:
                    if (policy.QueryParameter.Name.Length == 0)
                    {
                        throw new XdsRejectedException("a query_parameter hash policy names no parameter");
                    }

                    methods.Add(new QueryParameterHash(policy.QueryParameter.Name, policy.Terminal));
                    break;
                case EnvoyHashPolicy.PolicySpecifierOneofCase.FilterState:
                    methods.Add(new FilterStateHash(policy.Terminal));
                    break;
                default:
                    throw new XdsRejectedException("a hash policy sets none of header, cookie, connection_properties, query_parameter, filter_state");
            }
        }

        return methods.Count == 0 ? null : new HashPolicy(methods);
    }
}
