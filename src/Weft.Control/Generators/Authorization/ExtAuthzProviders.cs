using System.Globalization;
using Google.Protobuf.WellKnownTypes;
using Weft.Control.Model;
using Weft.Control.Push;
using Weft.Xds;
using Weft.Xds.Envoy.Config.Core.V3;
using Weft.Xds.Envoy.Extensions.Filters.Http.ExtAuthz.V3;
using Weft.Xds.Envoy.Type.Matcher.V3;
using Weft.Xds.Envoy.Type.V3;
using NetworkExtAuthz = Weft.Xds.Envoy.Extensions.Filters.Network.ExtAuthz.V3.ExtAuthz;

namespace Weft.Control.Generators.Authorization;

/// <summary>
/// The mesh's ext_authz extension providers, checked and turned into filter configs once per push (Istio's
/// processExtensionProvider). The service is looked up in the registry (<c>HOST</c>, or <c>NAMESPACE/HOST</c>) and
/// reached through its outbound cluster <c>outbound|PORT||HOST</c>; the timeout defaults to 600s. A provider with a
/// problem (unknown service, port out of range, unknown status, a lone <c>*</c> header pattern, a duplicate or malformed
/// name) resolves to its error; providers of other kinds are not resolved at all.
/// </summary>
internal static class ExtAuthzProviders
{
    public const string RbacHttpFilter = "envoy.filters.http.rbac";
    public const string RbacNetworkFilter = "envoy.filters.network.rbac";
    public const string ShadowEffectivePolicyId = "shadow_effective_policy_id";
    public const string ExtAuthzStatPrefix = "istio_ext_authz_";

    private static readonly Duration DefaultTimeout = new() { Seconds = 600 };

    public static IReadOnlyDictionary<string, ResolvedExtAuthz> Resolve(IReadOnlyList<ExtensionProvider> providers, PushContext push)
    {
        var resolved = new Dictionary<string, ResolvedExtAuthz>(StringComparer.Ordinal);
        for (var i = 0; i < providers.Count; i++)
        {
            var provider = providers[i];
            var errors = new List<string>();
            if (provider.Name.Length == 0)
            {
                errors.Add($"extension provider name must not be empty, found empty at index: {i}");
            }
            else
            {
                if (resolved.ContainsKey(provider.Name))
                {
                    errors.Add($"extension provider name must be unique, found duplicate: {provider.Name}");
                }

                if (NameProblem(provider.Name) is { } problem)
                {
                    errors.Add($"invalid provider name \"{provider.Name}\": {problem}");
                }
            }

            ResolvedExtAuthz? built;
            if (provider.EnvoyExtAuthzHttp is { } http)
            {
                built = Http(http, push, errors);
            }
            else if (provider.EnvoyExtAuthzGrpc is { } grpc)
            {
                built = Grpc(grpc, push, errors);
            }
            else
            {
                continue;
            }

            resolved[provider.Name] = (built ?? new ResolvedExtAuthz(null, null, null)) with
            {
                Error = errors.Count == 0 ? null : $"failed to parse extension provider \"{provider.Name}\": " + string.Join("; ", errors),
            };
        }

        return resolved;
    }

    /// <summary>The filter_enabled_metadata that runs ext_authz only for requests a CUSTOM rule of this provider matched.</summary>
    public static MetadataMatcher EnabledFor(string rbacFilter, string provider) =>
        AuthzMatchers.Metadata(rbacFilter, ExtAuthzStatPrefix + ShadowEffectivePolicyId, new ValueMatcher
        {
            StringMatch = new StringMatcher { Prefix = $"{RuleSetBuilder.ExtAuthzPrefix}-{provider}" },
        });

    private static ResolvedExtAuthz? Http(ExtAuthzHttpProvider config, PushContext push, List<string> errors)
    {
        var (host, cluster) = Common(config, push, errors, out var status);
        if (config.PathPrefix.Length > 0 && !config.PathPrefix.StartsWith('/'))
        {
            errors.Add($"pathPrefix must begin with `/`, found: \"{config.PathPrefix}\"");
        }

        foreach (var (field, values) in new[]
        {
            ("IncludeRequestHeadersInCheck", config.IncludeRequestHeadersInCheck),
            ("IncludeHeadersInCheck", config.IncludeHeadersInCheck),
            ("HeadersToDownstreamOnDeny", config.HeadersToDownstreamOnDeny),
            ("HeadersToDownstreamOnAllow", config.HeadersToDownstreamOnAllow),
            ("HeadersToUpstreamOnAllow", config.HeadersToUpstreamOnAllow),
        })
        {
            if (values.Contains("*"))
            {
                errors.Add($"a single wildcard (\"*\") is not supported, change it to either prefix or suffix match: {field}");
            }
        }

        if (errors.Count > 0)
        {
            return null;
        }

        var service = new HttpService
        {
            PathPrefix = config.PathPrefix,
            ServerUri = new HttpUri { Uri = "http://" + host, Cluster = cluster, Timeout = config.Timeout?.Clone() ?? DefaultTimeout.Clone() },
        };
        if (config.IncludeAdditionalHeadersInCheck.Count > 0)
        {
            service.AuthorizationRequest = new AuthorizationRequest();
            foreach (var (key, value) in config.IncludeAdditionalHeadersInCheck.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            {
                service.AuthorizationRequest.HeadersToAdd.Add(new HeaderValue { Key = key, Value = value });
            }
        }

        if (config.HeadersToUpstreamOnAllow.Count > 0 || config.HeadersToDownstreamOnDeny.Count > 0 || config.HeadersToDownstreamOnAllow.Count > 0)
        {
            service.AuthorizationResponse = new AuthorizationResponse
            {
                AllowedUpstreamHeaders = Headers(config.HeadersToUpstreamOnAllow),
                AllowedClientHeaders = Headers(config.HeadersToDownstreamOnDeny),
                AllowedClientHeadersOnSuccess = Headers(config.HeadersToDownstreamOnAllow),
            };
        }

        var filter = new ExtAuthz
        {
            StatusOnError = status,
            FailureModeAllow = config.FailOpen,
            TransportApiVersion = ApiVersion.V3,
            HttpService = service,
            WithRequestBody = Body(config.IncludeRequestBodyInCheck),
            AllowedHeaders = Headers(config.IncludeRequestHeadersInCheck) ?? Headers(config.IncludeHeadersInCheck),
        };
        return new ResolvedExtAuthz(filter, null, null);
    }

    private static ResolvedExtAuthz? Grpc(ExtAuthzGrpcProvider config, PushContext push, List<string> errors)
    {
        var (host, cluster) = Common(config, push, errors, out var status);
        if (errors.Count > 0)
        {
            return null;
        }

        var grpc = new GrpcService
        {
            EnvoyGrpc = new GrpcService.Types.EnvoyGrpc { ClusterName = cluster, Authority = host },
            Timeout = config.Timeout?.Clone() ?? DefaultTimeout.Clone(),
        };
        var http = new ExtAuthz
        {
            StatusOnError = status,
            FailureModeAllow = config.FailOpen,
            GrpcService = grpc,
            TransportApiVersion = ApiVersion.V3,
            WithRequestBody = Body(config.IncludeRequestBodyInCheck),
        };
        var tcp = new NetworkExtAuthz
        {
            StatPrefix = "tcp.",
            FailureModeAllow = config.FailOpen,
            TransportApiVersion = ApiVersion.V3,
            GrpcService = grpc.Clone(),
        };
        return new ResolvedExtAuthz(http, tcp, null);
    }

    /// <summary>Port, service lookup and status on error, which both kinds check.</summary>
    private static (string Host, string Cluster) Common(ExtAuthzProvider config, PushContext push, List<string> errors, out HttpStatus? status)
    {
        if (config.Port is < 1 or > 65535)
        {
            errors.Add($"port must be in the range [1, 65535], found: {config.Port}");
        }

        var (host, lookupError) = Lookup(config.Service, push);
        if (lookupError is not null)
        {
            errors.Add(lookupError);
        }

        status = null;
        if (config.StatusOnError.Length > 0)
        {
            if (!int.TryParse(config.StatusOnError, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var code))
            {
                errors.Add($"invalid statusOnError \"{config.StatusOnError}\"");
            }
            else if (!System.Enum.IsDefined(typeof(StatusCode), code))
            {
                errors.Add($"unsupported statusOnError {config.StatusOnError}");
            }
            else
            {
                status = new HttpStatus { Code = (StatusCode)code };
            }
        }

        return (host, host.Length == 0 ? string.Empty : ResourceNames.OutboundCluster((int)config.Port, host));
    }

    /// <summary>Istio's LookupCluster: <c>NAMESPACE/HOST</c> names one service; a bare host must exist in one namespace only.</summary>
    private static (string Host, string? Error) Lookup(string service, PushContext push)
    {
        if (service.Length == 0)
        {
            return (string.Empty, "service must not be empty");
        }

        var parts = service.Split('/');
        if (parts.Length == 2)
        {
            var found = push.ServicesByHost(parts[1]).FirstOrDefault(s => s.Namespace == parts[0]);
            return found is null ? (string.Empty, $"could not find service {service} in Istio service registry") : (found.Hostname, null);
        }

        var namespaces = push.ServicesByHost(service).Select(s => s.Namespace).Distinct(StringComparer.Ordinal).ToArray();
        return namespaces.Length switch
        {
            1 => (push.ServicesByHost(service)[0].Hostname, null),
            > 1 => (string.Empty, $"found {service} in multiple namespaces [{string.Join(' ', namespaces)}], specify the namespace explicitly in the format of <Namespace>/<Hostname>"),
            _ => (string.Empty, $"could not find service {service} in Istio service registry"),
        };
    }

    /// <summary>Header name patterns: <c>*x</c> suffix, <c>x*</c> prefix, else exact, all ignoring case; null when none.</summary>
    private static ListStringMatcher? Headers(IReadOnlyList<string> headers)
    {
        if (headers.Count == 0)
        {
            return null;
        }

        var list = new ListStringMatcher();
        foreach (var header in headers)
        {
            list.Patterns.Add(header.StartsWith('*') ? AuthzMatchers.Suffix(header[1..], ignoreCase: true)
                : header.EndsWith('*') ? AuthzMatchers.Prefix(header[..^1], ignoreCase: true)
                : AuthzMatchers.Exact(header, ignoreCase: true));
        }

        return list;
    }

    private static BufferSettings? Body(ExtAuthzRequestBody? body) => body is null ? null : new BufferSettings
    {
        MaxRequestBytes = body.MaxRequestBytes,
        AllowPartialMessage = body.AllowPartialMessage,
        PackAsBytes = body.PackAsBytes,
    };

    /// <summary>Provider names end up in policy names, metadata keys and metrics: a lowercase DNS label, at most 63 characters.</summary>
    private static string? NameProblem(string name)
    {
        if (name.Length > 63)
        {
            return $"provider name too long (max 63 characters): {name.Length}";
        }

        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (char.IsAsciiLetterUpper(c))
            {
                return $"uppercase letters not allowed (use lowercase): character '{c}' at position {i}";
            }

            if (!char.IsAsciiLetterLower(c) && !char.IsAsciiDigit(c) && c != '-')
            {
                return $"invalid character '{c}' at position {i} (only lowercase letters, digits, and hyphens allowed)";
            }
        }

        return name[0] == '-' || name[^1] == '-' ? "provider name cannot start or end with hyphen" : null;
    }
}
