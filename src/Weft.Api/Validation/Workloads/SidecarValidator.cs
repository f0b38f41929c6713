using Weft.Api.GoCompat;
using Weft.Api.Model.Networking;
using Weft.Api.Validation.Rules;

namespace Weft.Api.Validation.Workloads;

/// <summary>Istio's <c>ValidateSidecar</c>.</summary>
internal sealed class SidecarValidator : ISpecValidator
{
    private const string DefaultEndpointForm =
        "sidecar: defaultEndpoint must be of form 127.0.0.1:<port>,0.0.0.0:<port>,[::1]:port,[::]:port,unix://filepath or unset";

    public string Kind => "Sidecar";

    public void Validate(ValidationContext context)
    {
        var sidecar = context.Resource.Spec as SidecarSpec ?? new SidecarSpec();
        if (WorkloadSelectors.RejectAlpha(context, "spec.workloadSelector", sidecar.WorkloadSelector, out var withoutLabels))
        {
            return;
        }

        var ingress = sidecar.Ingress ?? [];
        var egress = sidecar.Egress ?? [];
        if (egress.Count == 0 && ingress.Count == 0 && sidecar.OutboundTrafficPolicy is null && sidecar.InboundConnectionPool is null)
        {
            // Istio rejects at once here, without the selector warning.
            context.Error("spec", "sidecar: empty configuration provided");
            return;
        }

        if (withoutLabels)
        {
            context.Warning("spec.workloadSelector", $"sidecar: {WorkloadSelectors.NoLabelsWarning}, will be applied to all services in namespace");
        }

        var ports = new HashSet<long>();
        for (var i = 0; i < ingress.Count; i++)
        {
            CheckIngress(context, ingress[i], $"spec.ingress[{i}]", ports);
        }

        ConnectionPoolRules.Validate(context, "spec.inboundConnectionPool", sidecar.InboundConnectionPool);

        ports.Clear();
        var sockets = new HashSet<string>(StringComparer.Ordinal);
        var catchAllFound = false;
        for (var i = 0; i < egress.Count; i++)
        {
            var listener = egress[i];
            var at = $"spec.egress[{i}]";

            // Only one listener may lack a port (the catch-all), and it must come last.
            if (listener.Port is null)
            {
                if (catchAllFound)
                {
                    context.Error(at, "sidecar: egress can have only one listener with empty port");
                    continue;
                }

                if (i == egress.Count - 1)
                {
                    catchAllFound = true;
                }
                else
                {
                    context.Error(at, "sidecar: the egress listener with empty port should be the last listener in the list");
                }
            }
            else
            {
                CheckEgressPort(context, listener, at, ports, sockets);
            }

            CheckEgressHosts(context, listener.Hosts, at + ".hosts");
        }

        CheckOutboundTrafficPolicy(context, sidecar.OutboundTrafficPolicy, "spec.outboundTrafficPolicy");
    }

    private static void CheckIngress(ValidationContext context, IstioIngressListener listener, string at, HashSet<long> ports)
    {
        if (listener.Port is not { } port)
        {
            context.Error(at, "sidecar: port is required for ingress listeners");
            return;
        }

        if (port.TargetPort > 0)
        {
            context.Error(at + ".port.targetPort", "targetPort has no impact on Sidecars");
        }

        CheckPortNameAndProtocol(context, port, at + ".port");
        if (Ports.Validate(port.Number ?? 0) is { } portError)
        {
            context.Error(at + ".port.number", portError);
        }

        if (!string.IsNullOrEmpty(listener.Bind) && IpAddresses.ValidateAddress(listener.Bind) is { } bindError)
        {
            context.Error(at + ".bind", bindError);
        }

        if (!ports.Add(port.Number ?? 0))
        {
            context.Error(at + ".port.number", "sidecar: ports on IP bound listeners must be unique");
        }

        if (!string.IsNullOrEmpty(listener.DefaultEndpoint))
        {
            CheckDefaultEndpoint(context, listener.DefaultEndpoint, at + ".defaultEndpoint");
        }

        if (listener.Tls is { } tls)
        {
            CheckIngressTls(context, tls, port, at + ".tls");
        }

        ConnectionPoolRules.Validate(context, at + ".connectionPool", listener.ConnectionPool);
        if (listener.ConnectionPool?.Http is not null && !PortProtocols.Parse(port.Protocol).IsHttp())
        {
            context.Warning(
                at + ".connectionPool.http",
                $"sidecar: HTTP connection pool settings are configured for port {port.Number ?? 0} ({GoStrconv.Quote(port.Name ?? string.Empty)}) "
                + $"but its protocol is not HTTP ({port.Protocol}); only TCP settings will apply");
        }
    }

    private static void CheckDefaultEndpoint(ValidationContext context, string endpoint, string at)
    {
        if (UnixAddresses.HasPrefix(endpoint))
        {
            if (UnixAddresses.ValidatePath(endpoint[UnixAddresses.Prefix.Length..]) is { } unixError)
            {
                context.Error(at, unixError);
            }

            return;
        }

        // 127.0.0.1:port, 0.0.0.0:port, [::1]:port, [::]:port or :port.
        if (GoNet.SplitHostPort(endpoint, out var host, out var portText) is { } splitError)
        {
            context.Error(at, splitError);
        }

        if (host.Length > 0 && host is not ("127.0.0.1" or "0.0.0.0" or "::1" or "::"))
        {
            context.Error(at, DefaultEndpointForm);
        }

        if (GoStrconv.Atoi(portText, out var number) is { } atoiError)
        {
            context.Error(at, $"sidecar: defaultEndpoint port ({portText}) is not a number: {atoiError}");
        }
        else if (Ports.Validate(number) is { } portError)
        {
            context.Error(at, portError);
        }
    }

    private static void CheckIngressTls(ValidationContext context, ServerTLSSettings tls, SidecarPort port, string at)
    {
        if (tls.SubjectAltNames is { Count: > 0 })
        {
            context.Error(at + ".subjectAltNames", "sidecar: subjectAltNames is not supported in ingress tls");
        }

        if (tls.HttpsRedirect == true)
        {
            context.Error(at + ".httpsRedirect", "sidecar: httpsRedirect is not supported");
        }

        if (!string.IsNullOrEmpty(tls.CredentialName))
        {
            context.Error(at + ".credentialName", "sidecar: credentialName is not currently supported");
        }

        if (tls.CredentialNames is { Count: > 0 })
        {
            context.Error(at + ".credentialNames", "sidecar: credentialNames is not currently supported");
        }

        if (tls.TlsCertificates is { Count: > 0 })
        {
            context.Error(at + ".tlsCertificates", "sidecar: tls_certificates is not currently supported");
        }

        var mode = ServerTlsRules.ModeOf(tls);
        if (mode is ServerTlsRules.Mode.IstioMutual or ServerTlsRules.Mode.AutoPassthrough)
        {
            context.Error(at + ".mode", $"configuration is invalid: cannot set mode to {ServerTlsRules.ModeName(mode)} in sidecar ingress tls");
        }

        if (!PortProtocols.Parse(port.Protocol).IsTls())
        {
            context.Error(at, "server cannot have TLS settings for non HTTPS/TLS ports");
        }

        ServerTlsRules.Validate(context, at, tls);
    }

    private static void CheckEgressPort(ValidationContext context, IstioEgressListener listener, string at, HashSet<long> ports, HashSet<string> sockets)
    {
        var port = listener.Port!;
        if (port.TargetPort > 0)
        {
            context.Error(at + ".port.targetPort", "targetPort has no impact on Sidecars");
        }

        var bind = listener.Bind ?? string.Empty;
        var number = port.Number ?? 0;
        CheckPortNameAndProtocol(context, port, at + ".port");
        if (number == 0)
        {
            // Port 0 means a unix domain socket listener.
            if (!UnixAddresses.HasPrefix(bind))
            {
                context.Error(at + ".bind", "sidecar: ports with 0 value must have a unix domain socket bind address");
            }
            else if (UnixAddresses.ValidatePath(bind[UnixAddresses.Prefix.Length..]) is { } unixError)
            {
                context.Error(at + ".bind", unixError);
            }

            if (EnumNames.Of(listener.CaptureMode, EnumNames.CaptureMode) is not ("DEFAULT" or "NONE"))
            {
                context.Error(at + ".captureMode", "sidecar: captureMode must be DEFAULT/NONE for unix domain socket listeners");
            }

            if (!sockets.Add(bind))
            {
                context.Error(at + ".bind", "sidecar: unix domain socket values for listeners must be unique");
            }
        }
        else
        {
            if (Ports.Validate(number) is { } portError)
            {
                context.Error(at + ".port.number", portError);
            }

            if (bind.Length > 0 && IpAddresses.ValidateAddress(bind) is { } bindError)
            {
                context.Error(at + ".bind", bindError);
            }

            if (!ports.Add(number))
            {
                context.Error(at + ".port.number", "sidecar: ports on IP bound listeners must be unique");
            }
        }
    }

    private static void CheckPortNameAndProtocol(ValidationContext context, SidecarPort port, string at)
    {
        // The name is optional; when given it must be a DNS label.
        if (!string.IsNullOrEmpty(port.Name) && !DnsNames.IsDns1123Label(port.Name))
        {
            context.Error(at + ".name", $"invalid port name: {port.Name}");
        }

        if (PortProtocols.Validate(port.Protocol) is { } protocolError)
        {
            context.Error(at + ".protocol", protocolError);
        }
    }

    private static void CheckEgressHosts(ValidationContext context, IReadOnlyList<string>? hosts, string at)
    {
        if (hosts is not { Count: > 0 })
        {
            context.Error(at, "sidecar: egress listener must contain at least one host");
            return;
        }

        var ns = context.ConfigNamespace;
        Dictionary<string, HashSet<string>>? imports = null;
        for (var i = 0; i < hosts.Count; i++)
        {
            var host = hosts[i];
            var slash = host.IndexOf('/', StringComparison.Ordinal);
            if (slash >= 0 && !host.StartsWith('~'))
            {
                var hostNs = host[..slash];
                var service = host[(slash + 1)..];
                if (hostNs == ".")
                {
                    hostNs = ns;
                }

                imports ??= new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
                if (!imports.TryGetValue(hostNs, out var services))
                {
                    services = new HashSet<string>(StringComparer.Ordinal);
                    imports[hostNs] = services;
                }

                // A host already imported, or imported by a namespace wildcard, is a duplicate.
                var duplicate = service != "*" ? services.Contains(service) || services.Contains("*") : services.Count != 0;
                if (duplicate)
                {
                    context.Warning($"{at}[{i}]", $"duplicated egress host: {host}");
                }

                services.Add(service);
            }

            foreach (var error in NamespacedHosts.Validate(host, isGateway: false, gatewaySemantics: false))
            {
                context.Error($"{at}[{i}]", error);
            }
        }

        if (imports is not null && imports.Count != 1 && imports.TryGetValue("*", out var all) && all.Contains("*"))
        {
            context.Warning(at, "`*/*` host select all resources, no other hosts can be added");
        }
    }

    private static void CheckOutboundTrafficPolicy(ValidationContext context, OutboundTrafficPolicy? policy, string at)
    {
        if (policy is null)
        {
            return;
        }

        var mode = EnumNames.Of(policy.Mode, EnumNames.OutboundMode);
        if (mode == "ALLOW_ANY_DYNAMIC_DNS")
        {
            context.Error(at + ".mode", "sidecar: ALLOW_ANY_DYNAMIC_DNS mode is only supported in MeshConfig, not in Sidecar resource");
            return;
        }

        if (policy.EgressProxy is not { } proxy)
        {
            return;
        }

        var proxyAt = at + ".egressProxy";
        if (mode != "ALLOW_ANY")
        {
            context.Error(proxyAt, "sidecar: egress_proxy must be set only with ALLOW_ANY outbound_traffic_policy mode");
            return;
        }

        var host = proxy.Host ?? string.Empty;
        var fqdnError = DnsNames.ValidateFqdn(host);
        if (fqdnError is not null)
        {
            context.Error(proxyAt + ".host", fqdnError);
        }

        if (proxy.Port is null)
        {
            context.Error(proxyAt + ".port", "sidecar: egress_proxy port must be non-nil");
            return;
        }

        // Istio then validates the destination; a valid FQDN is also a valid destination host.
        if (host == "*")
        {
            context.Error(proxyAt + ".host", $"invalid destination host {host}");
        }
        else if (fqdnError is null && DnsNames.ValidateWildcardDomain(host) is { } hostError)
        {
            context.Error(proxyAt + ".host", hostError);
        }

        if (!string.IsNullOrEmpty(proxy.Subset) && !DnsNames.IsDns1123Label(proxy.Subset))
        {
            context.Error(proxyAt + ".subset", $"subset name is invalid: {proxy.Subset}");
        }

        if (Ports.Validate(proxy.Port.Number ?? 0) is { } portError)
        {
            context.Error(proxyAt + ".port.number", portError);
        }
    }
}
