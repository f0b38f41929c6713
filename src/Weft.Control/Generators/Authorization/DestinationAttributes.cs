using System.Globalization;
using Weft.Xds.Envoy.Config.Rbac.V3;
using Weft.Xds.Envoy.Type.Matcher.V3;

namespace Weft.Control.Generators.Authorization;

/// <summary>
/// The attributes about what a request does: <c>to.operation</c> (hosts, methods, paths, ports) and the <c>when</c> keys
/// <c>destination.ip</c>, <c>destination.port</c>, <c>connection.sni</c> and <c>experimental.envoy.filters.*</c>. They
/// become RBAC permissions.
/// </summary>
internal static class DestinationAttributes
{
    public const string MethodKey = ":method";
    public const string HostKey = ":authority";
    public const string PathKey = "path-matcher";

    public static AttributeTranslator DestinationIp { get; } = new DestinationIpTranslator();

    public static AttributeTranslator DestinationPort { get; } = new DestinationPortTranslator();

    public static AttributeTranslator ConnectionSni { get; } = new ConnectionSniTranslator();

    public static AttributeTranslator EnvoyFilter { get; } = new EnvoyFilterTranslator();

    public static AttributeTranslator Host { get; } = new HostTranslator();

    public static AttributeTranslator Method { get; } = new MethodTranslator();

    public static AttributeTranslator Path { get; } = new PathTranslator();

    private sealed class DestinationIpTranslator : AttributeTranslator
    {
        public override Translated<Permission> Permission(string key, string value, bool forTcp)
        {
            var cidr = RbacNodes.Cidr(value);
            return cidr.Value is { } range ? Translated<Permission>.Of(new Permission { DestinationIp = range }) : Translated<Permission>.Fail(cidr.Error!);
        }
    }

    private sealed class DestinationPortTranslator : AttributeTranslator
    {
        public override Translated<Permission> Permission(string key, string value, bool forTcp) =>
            uint.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port <= 65535
                ? Translated<Permission>.Of(new Permission { DestinationPort = port })
                : Translated<Permission>.Fail($"invalid port {value}");
    }

    private sealed class ConnectionSniTranslator : AttributeTranslator
    {
        public override Translated<Permission> Permission(string key, string value, bool forTcp) =>
            Translated<Permission>.Of(new Permission { RequestedServerName = AuthzMatchers.String(value) });
    }

    /// <summary>
    /// <c>experimental.envoy.filters.NAME[KEY]</c>: a value of another filter's dynamic metadata; <c>[v]</c> matches an
    /// element of a list value, anything else the string value.
    /// </summary>
    private sealed class EnvoyFilterTranslator : AttributeTranslator
    {
        public override bool Aggregates => true;

        public override Translated<Permission> Permission(string key, IReadOnlyList<string> values, bool forTcp)
        {
            var name = key["experimental.".Length..];
            var parts = (name.EndsWith(']') ? name[..^1] : name).Split('[', 2);
            if (parts.Length != 2)
            {
                return Translated<Permission>.Fail($"invalid key: {key}");
            }

            var matchers = new List<ValueMatcher>();
            foreach (var value in values)
            {
                if (value.StartsWith('[') && value.EndsWith(']'))
                {
                    var element = new ValueMatcher { StringMatch = AuthzMatchers.String(value.Trim('[', ']')) };
                    matchers.Add(new ValueMatcher { ListMatch = new ListMatcher { OneOf = element } });
                }
                else
                {
                    matchers.Add(new ValueMatcher { StringMatch = AuthzMatchers.String(value) });
                }
            }

            return Translated<Permission>.Of(new Permission { Metadata = AuthzMatchers.Metadata(parts[0], parts[1], AuthzMatchers.Or(matchers)) });
        }
    }

    private sealed class HostTranslator : AttributeTranslator
    {
        public override Translated<Permission> Permission(string key, string value, bool forTcp) => forTcp
            ? Translated<Permission>.Fail(HttpOnly(key))
            : Translated<Permission>.Of(RbacNodes.Header(AuthzMatchers.Host(HostKey, value)));
    }

    private sealed class MethodTranslator : AttributeTranslator
    {
        public override Translated<Permission> Permission(string key, string value, bool forTcp) => forTcp
            ? Translated<Permission>.Fail(HttpOnly(key))
            : Translated<Permission>.Of(RbacNodes.Header(AuthzMatchers.Header(MethodKey, value)));
    }

    /// <summary>
    /// A path compares with the request's path after the connection manager normalised it, without the query; a path
    /// with <c>{*}</c> or <c>{**}</c> is a URI template.
    /// </summary>
    private sealed class PathTranslator : AttributeTranslator
    {
        public override Translated<Permission> Permission(string key, string value, bool forTcp)
        {
            if (forTcp)
            {
                return Translated<Permission>.Fail(HttpOnly(key));
            }

            return Translated<Permission>.Of(AuthzMatchers.IsPathTemplate(value)
                ? new Permission { UriTemplate = AuthzMatchers.PathTemplate(value) }
                : new Permission { UrlPath = AuthzMatchers.Path(value) });
        }
    }
}
