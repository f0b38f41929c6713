using Weft.Proxy.Snapshot.Listeners;
using Weft.Proxy.Snapshot.Matching;
using Weft.Proxy.Xds;
using Weft.Xds;
using Weft.Xds.Envoy.Config.Rbac.V3;
using Weft.Xds.Envoy.Extensions.Path.Match.UriTemplate.V3;

namespace Weft.Proxy.Authorization;

/// <summary>
/// A compiled RBAC permission (what the request does), with Envoy's semantics: destination address and port are the
/// connection's original destination, <c>requested_server_name</c> its SNI (empty without TLS), headers include the
/// <c>:authority</c>, <c>:method</c> and <c>:path</c> pseudo-headers, <c>url_path</c> and <c>uri_template</c> compare
/// the path without its query; at connection level (TCP chains) there is no request: headers are absent and paths never
/// match.
/// </summary>
internal abstract class PermissionMatch
{
    public abstract bool Matches(AuthorizationInput input);

    public static PermissionMatch Compile(Permission permission) => permission.RuleCase switch
    {
        Permission.RuleOneofCase.Any => permission.Any ? Always.Instance : throw new XdsRejectedException("a permission sets any: false"),
        Permission.RuleOneofCase.AndRules => new All(permission.AndRules.Rules.Select(Compile).ToArray()),
        Permission.RuleOneofCase.OrRules => new AnyOf(permission.OrRules.Rules.Select(Compile).ToArray()),
        Permission.RuleOneofCase.NotRule => new Not(Compile(permission.NotRule)),
        Permission.RuleOneofCase.Header => new Header(HeaderMatch.Compile(permission.Header)),
        Permission.RuleOneofCase.DestinationIp => new DestinationIp(CidrRange.Compile(permission.DestinationIp)),
        Permission.RuleOneofCase.DestinationPort => new DestinationPorts((int)permission.DestinationPort, (int)permission.DestinationPort + 1),
        Permission.RuleOneofCase.DestinationPortRange => new DestinationPorts(permission.DestinationPortRange.Start, permission.DestinationPortRange.End),
        Permission.RuleOneofCase.Metadata => new Metadata(MetadataValueMatch.Compile(permission.Metadata)),
        Permission.RuleOneofCase.RequestedServerName => new ServerName(StringMatch.Compile(permission.RequestedServerName)),
        Permission.RuleOneofCase.UrlPath => new UrlPath(UrlPathMatch.Compile(permission.UrlPath)),
        Permission.RuleOneofCase.UriTemplate => new Template(UriTemplate(permission.UriTemplate)),
        Permission.RuleOneofCase.None => throw new XdsRejectedException("a permission sets no rule"),
        _ => throw new XdsRejectedException($"RBAC permission {permission.RuleCase} is not supported"),
    };

    private static UriTemplateMatch UriTemplate(Weft.Xds.Envoy.Config.Core.V3.TypedExtensionConfig config)
    {
        if (config.TypedConfig?.TypeUrl != TypeUrls.UriTemplateMatch)
        {
            throw new XdsRejectedException($"uri_template {config.Name} ({config.TypedConfig?.TypeUrl ?? "no config"}) is not a URI template matcher");
        }

        return UriTemplateMatch.Compile(config.TypedConfig.Unpack<UriTemplateMatchConfig>().PathTemplate);
    }

    private sealed class Always : PermissionMatch
    {
        public static readonly Always Instance = new();

        public override bool Matches(AuthorizationInput input) => true;
    }

    private sealed class All(PermissionMatch[] rules) : PermissionMatch
    {
        public override bool Matches(AuthorizationInput input)
        {
            foreach (var rule in rules)
            {
                if (!rule.Matches(input))
                {
                    return false;
                }
            }

            return true;
        }
    }

    private sealed class AnyOf(PermissionMatch[] rules) : PermissionMatch
    {
        public override bool Matches(AuthorizationInput input)
        {
            foreach (var rule in rules)
            {
                if (rule.Matches(input))
                {
                    return true;
                }
            }

            return false;
        }
    }

    private sealed class Not(PermissionMatch rule) : PermissionMatch
    {
        public override bool Matches(AuthorizationInput input) => !rule.Matches(input);
    }

    private sealed class Header(HeaderMatch header) : PermissionMatch
    {
        public override bool Matches(AuthorizationInput input) => header.Matches(input.Request?.Header(header.Name));
    }

    private sealed class DestinationIp(CidrRange range) : PermissionMatch
    {
        public override bool Matches(AuthorizationInput input) => input.DestinationAddress is { } address && range.Contains(address);
    }

    /// <summary>[start, end), as Envoy's port range; a single port is [port, port + 1).</summary>
    private sealed class DestinationPorts(int start, int end) : PermissionMatch
    {
        public override bool Matches(AuthorizationInput input) => input.DestinationPort >= start && input.DestinationPort < end;
    }

    private sealed class Metadata(MetadataValueMatch metadata) : PermissionMatch
    {
        public override bool Matches(AuthorizationInput input) => metadata.Matches(input.Metadata);
    }

    private sealed class ServerName(StringMatch name) : PermissionMatch
    {
        public override bool Matches(AuthorizationInput input) => name.Matches(input.ServerName);
    }

    private sealed class UrlPath(UrlPathMatch path) : PermissionMatch
    {
        public override bool Matches(AuthorizationInput input) => path.Matches(input.Request);
    }

    private sealed class Template(UriTemplateMatch template) : PermissionMatch
    {
        public override bool Matches(AuthorizationInput input) => input.Request is { } request && template.Matches(request.Path);
    }
}
