using System.Globalization;
using Weft.Api.GoCompat;
using Weft.Api.Model.Networking;
using Weft.Api.Validation.Rules;

namespace Weft.Api.Validation.Traffic;

/// <summary>
/// Istio's semantic rules for Gateway (<c>ValidateGateway</c>, <c>validateServer</c>): servers, their hosts,
/// ports, binds and TLS settings, and unique port names. Istio does not check the selector of a Gateway.
/// </summary>
internal sealed class GatewayValidator : ISpecValidator
{
    /// <summary>Set on Gateways converted from the Kubernetes Gateway API; relaxes name and host-namespace checks.</summary>
    public const string GatewaySemanticsAnnotation = "internal.istio.io/gateway-semantics";

    private const string UnixAddressPrefix = "unix://";

    public string Kind => "Gateway";

    public void Validate(ValidationContext context)
    {
        var resource = context.Resource;
        var gatewaySemantics = resource.Metadata.Annotations.TryGetValue(GatewaySemanticsAnnotation, out var semantics) && semantics == "gateway";
        if (!DnsNames.IsDns1123Label(resource.Name) && !gatewaySemantics)
        {
            context.Error("metadata.name", $"invalid gateway name: {GoStrconv.Quote(resource.Name)}");
        }

        var spec = resource.Spec as GatewaySpec ?? new GatewaySpec();
        var servers = spec.Servers ?? [];
        if (servers.Count == 0)
        {
            context.Error("spec.servers", "gateway must have at least one server");
        }

        for (var i = 0; i < servers.Count; i++)
        {
            ValidateServer(context, $"spec.servers[{i}]", servers[i], gatewaySemantics);
        }

        var portNames = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < servers.Count; i++)
        {
            var server = servers[i];
            if (server.Port is not { } port)
            {
                continue;
            }

            var name = port.Name ?? string.Empty;
            if (!portNames.Add(name))
            {
                context.Error($"spec.servers[{i}].port.name", $"port names in servers must be unique: duplicate name {name}");
            }

            if (!PortProtocols.Parse(port.Protocol).IsHttp() && server.Tls?.HttpsRedirect == true)
            {
                context.Warning($"spec.servers[{i}].tls.httpsRedirect", "tls.httpsRedirect should only be used with http servers");
            }
        }
    }

    private static void ValidateServer(ValidationContext context, string path, Server server, bool gatewaySemantics)
    {
        if (server.Hosts is not { Count: > 0 } hosts)
        {
            context.Error(path + ".hosts", "server config must contain at least one host");
        }
        else
        {
            for (var i = 0; i < hosts.Count; i++)
            {
                foreach (var error in NamespacedHosts.Validate(hosts[i], isGateway: true, gatewaySemantics))
                {
                    context.Error($"{path}.hosts[{i}]", error);
                }
            }
        }

        var bind = server.Bind ?? string.Empty;
        var portValid = ValidatePort(context, path + ".port", server.Port, bind);
        ValidateBind(context, path, server.Port, bind);
        ServerTlsRules.Validate(context, path + ".tls", server.Tls);

        if (!portValid)
        {
            return;
        }

        // HTTPS and TLS servers need TLS settings; others may only carry an httpsRedirect (HTTP) or nothing.
        var protocol = PortProtocols.Parse(server.Port!.Protocol);
        if (protocol.IsTls() && server.Tls is null)
        {
            context.Error(path + ".tls", "server must have TLS settings for HTTPS/TLS protocols");
        }
        else if (!protocol.IsTls() && server.Tls is { } tls)
        {
            if (protocol.IsHttp())
            {
                var passthrough = ServerTlsRules.ModeOf(tls) is ServerTlsRules.Mode.Passthrough or ServerTlsRules.Mode.AutoPassthrough;
                if (!passthrough || !string.IsNullOrEmpty(tls.CaCertificates) || !string.IsNullOrEmpty(tls.PrivateKey) || !string.IsNullOrEmpty(tls.ServerCertificate))
                {
                    context.Error(path + ".tls", "server cannot have TLS settings for plain text HTTP ports");
                }
            }
            else
            {
                context.Error(path + ".tls", "server cannot have TLS settings for non HTTPS/TLS ports");
            }
        }
    }

    // True when the port has no errors (Istio then checks the TLS settings against the protocol).
    private static bool ValidatePort(ValidationContext context, string path, Port? port, string bind)
    {
        if (port is null)
        {
            context.Error(path, "port is required");
            return false;
        }

        var valid = true;
        if (PortProtocols.Parse(port.Protocol) == PortProtocol.Unsupported)
        {
            context.Error(path + ".protocol", $"invalid protocol {GoStrconv.Quote(port.Protocol ?? string.Empty)}, supported protocols are HTTP, HTTP2, GRPC, GRPC-WEB, MONGO, REDIS, MYSQL, TCP");
            valid = false;
        }

        var number = port.Number ?? 0;
        if ((number > 0 || !bind.StartsWith(UnixAddressPrefix, StringComparison.Ordinal)) && Ports.Validate(number) is { } numberError)
        {
            context.Error(path + ".number", numberError);
            valid = false;
        }

        if (port.TargetPort is > 0)
        {
            context.Error(path + ".targetPort", "targetPort has no impact on Gateways");
            valid = false;
        }

        if (string.IsNullOrEmpty(port.Name))
        {
            context.Error(path + ".name", $"port name must be set: {FormatPort(port)}");
            valid = false;
        }

        return valid;
    }

    private static void ValidateBind(ValidationContext context, string path, Port? port, string bind)
    {
        if (bind.StartsWith(UnixAddressPrefix, StringComparison.Ordinal))
        {
            if (ValidateUnixAddress(bind[UnixAddressPrefix.Length..]) is { } error)
            {
                context.Error(path + ".bind", error);
            }

            if (port is { Number: { } number and not 0 })
            {
                context.Error(path + ".port.number", $"port number must be 0 for unix domain socket: {FormatPort(port)}");
            }
        }
        else if (bind.Length != 0 && IpAddresses.ValidateAddress(bind) is { } error)
        {
            context.Error(path + ".bind", error);
        }
    }

    /// <summary>Istio's <c>ValidateUnixAddress</c>: an abstract socket (@name) or an absolute file path.</summary>
    public static string? ValidateUnixAddress(string address)
    {
        if (address.Length == 0)
        {
            return "unix address must not be empty";
        }

        if (address.StartsWith('@'))
        {
            return null;
        }

        return !address.StartsWith('/') || address.EndsWith('/') ? $"{address} is not an absolute path to a file" : null;
    }

    /// <summary>A port as Go's text form of the proto prints it, for messages.</summary>
    private static string FormatPort(Port port)
    {
        var parts = new List<string>(4);
        if (port.Number is { } number and not 0)
        {
            parts.Add("number:" + number.ToString(CultureInfo.InvariantCulture));
        }

        if (!string.IsNullOrEmpty(port.Protocol))
        {
            parts.Add("protocol:" + GoStrconv.Quote(port.Protocol!));
        }

        if (!string.IsNullOrEmpty(port.Name))
        {
            parts.Add("name:" + GoStrconv.Quote(port.Name!));
        }

        if (port.TargetPort is { } target and not 0)
        {
            parts.Add("target_port:" + target.ToString(CultureInfo.InvariantCulture));
        }

        return string.Join(' ', parts);
    }
}
