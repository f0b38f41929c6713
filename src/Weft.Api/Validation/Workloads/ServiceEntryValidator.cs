using Weft.Api.GoCompat;
using Weft.Api.Model.Networking;
using Weft.Api.Validation.Rules;

namespace Weft.Api.Validation.Workloads;

/// <summary>Istio's <c>ValidateServiceEntry</c>.</summary>
internal sealed class ServiceEntryValidator : ISpecValidator
{
    public const string UseWaypointLabel = "istio.io/use-waypoint";
    public const string AutoAllocateLabel = "networking.istio.io/enable-autoallocate-ip";

    public string Kind => "ServiceEntry";

    public void Validate(ValidationContext context)
    {
        var se = context.Resource.Spec as ServiceEntrySpec ?? new ServiceEntrySpec();

        if (WorkloadSelectors.RejectAlpha(context, "spec.workloadSelector", se.WorkloadSelector, out var withoutLabels))
        {
            return;
        }

        if (withoutLabels)
        {
            context.Warning("spec.workloadSelector", $"service entry: {WorkloadSelectors.NoLabelsWarning}, will be applied to all services in namespace");
        }

        var hosts = se.Hosts ?? [];
        var addresses = se.Addresses ?? [];
        var ports = se.Ports ?? [];
        var endpoints = se.Endpoints ?? [];
        var resolution = EnumNames.Of(se.Resolution, EnumNames.Resolution);

        if (se.WorkloadSelector is not null && endpoints.Count > 0)
        {
            context.Error("spec.endpoints", "only one of WorkloadSelector or Endpoints is allowed in Service Entry");
        }

        CheckHosts(context, hosts, resolution);
        CheckAddresses(context, addresses, resolution);
        var servicePorts = CheckPorts(context, ports, addresses, resolution);

        switch (resolution)
        {
            case "NONE":
                if (endpoints.Count > 0)
                {
                    context.Error("spec.endpoints", "no endpoints should be provided for resolution type none");
                }

                if (se.WorkloadSelector is not null)
                {
                    context.Warning("spec.workloadSelector", "workloadSelector should not be set when resolution mode is NONE");
                }

                break;
            case "STATIC":
                for (var i = 0; i < endpoints.Count; i++)
                {
                    WorkloadEntryRules.Validate(context, endpoints[i], $"spec.endpoints[{i}]", servicePorts, allowFqdnAddresses: false);
                }

                break;
            case "DNS":
            case "DNS_ROUND_ROBIN":
                CheckDnsResolution(context, resolution, hosts, addresses, ports, endpoints, servicePorts);
                break;
            case "DYNAMIC_DNS":
                CheckDynamicDns(context, se, resolution, hosts, addresses, ports, endpoints);
                break;
            default:
                context.Error("spec.resolution", $"unsupported resolution type {resolution}");
                break;
        }

        // Plain TCP cannot tell hosts apart, so several hosts need HTTP or TLS ports (unless resolution is NONE).
        if (resolution != "NONE" && hosts.Count > 1)
        {
            for (var i = 0; i < ports.Count; i++)
            {
                var p = PortProtocols.Parse(ports[i].Protocol);
                if (!p.IsHttp() && !p.IsTls())
                {
                    context.Error($"spec.ports[{i}].protocol", "multiple hosts provided with non-HTTP, non-TLS ports");
                    break;
                }
            }
        }

        ExportTo.Validate(context, "spec.exportTo", context.ConfigNamespace, se.ExportTo, isServiceEntry: true, isDestinationRuleWithSelector: false);
    }

    private static void CheckHosts(ValidationContext context, IReadOnlyList<string> hosts, string resolution)
    {
        if (hosts.Count == 0)
        {
            context.Error("spec.hosts", "service entry must have at least one host");
        }

        for (var i = 0; i < hosts.Count; i++)
        {
            var host = hosts[i];
            if (host == "*")
            {
                context.Error($"spec.hosts[{i}]", $"invalid host {host}");
                continue;
            }

            if (DnsNames.ValidateWildcardDomain(host) is { } error)
            {
                context.Error($"spec.hosts[{i}]", error);
            }

            if (resolution != "DYNAMIC_DNS" && NamespacedHosts.ValidatePartialWildcard(host) is { } partial)
            {
                context.Warning($"spec.hosts[{i}]", partial);
            }
        }
    }

    private static void CheckAddresses(ValidationContext context, IReadOnlyList<string> addresses, string resolution)
    {
        var cidr = false;
        for (var i = 0; i < addresses.Count; i++)
        {
            cidr |= addresses[i].Contains('/', StringComparison.Ordinal);
            if (IpAddresses.ValidateSubnet(addresses[i]) is { } error)
            {
                context.Error($"spec.addresses[{i}]", error);
            }
        }

        if (cidr && resolution is not ("NONE" or "STATIC"))
        {
            context.Error("spec.addresses", "CIDR addresses are allowed only for NONE/STATIC resolution types");
        }
    }

    private static HashSet<string> CheckPorts(ValidationContext context, IReadOnlyList<ServicePort> ports, IReadOnlyList<string> addresses, string resolution)
    {
        var autoAllocation = resolution != "NONE" && addresses.Count == 0 && !AutoAllocationOptedOut(context);
        var names = new HashSet<string>(ports.Count, StringComparer.Ordinal);
        var numbers = new HashSet<long>(ports.Count);
        for (var i = 0; i < ports.Count; i++)
        {
            var port = ports[i];
            var name = port.Name ?? string.Empty;
            var number = port.Number ?? 0;
            if (!names.Add(name))
            {
                context.Error($"spec.ports[{i}].name", $"service entry port name {GoStrconv.Quote(name)} already defined");
            }

            if (!numbers.Add(number))
            {
                context.Error($"spec.ports[{i}].number", $"service entry port {number} already defined");
            }

            if (port.TargetPort is { } target && target != 0 && Ports.Validate(target) is { } targetError)
            {
                context.Error($"spec.ports[{i}].targetPort", targetError);
            }

            if (addresses.Count == 0 && !autoAllocation && (string.IsNullOrEmpty(port.Protocol) || port.Protocol == "TCP"))
            {
                context.Warning(
                    $"spec.ports[{i}].protocol",
                    "addresses are required for ports serving TCP (or unset) protocol when IP Autoallocation is not enabled");
            }

            if (!DnsNames.IsDns1123Label(name))
            {
                context.Error($"spec.ports[{i}].name", $"invalid port name: {name}");
            }

            if (PortProtocols.Validate(port.Protocol) is { } protocolError)
            {
                context.Error($"spec.ports[{i}].protocol", protocolError);
            }

            if (Ports.Validate(number) is { } numberError)
            {
                context.Error($"spec.ports[{i}].number", numberError);
            }
        }

        return names;
    }

    private static void CheckDnsResolution(
        ValidationContext context,
        string resolution,
        IReadOnlyList<string> hosts,
        IReadOnlyList<string> addresses,
        IReadOnlyList<ServicePort> ports,
        IReadOnlyList<WorkloadEntrySpec> endpoints,
        HashSet<string> servicePorts)
    {
        if (endpoints.Count == 0)
        {
            for (var i = 0; i < hosts.Count; i++)
            {
                if (DnsNames.ValidateFqdn(hosts[i]) is { } error)
                {
                    context.Error(
                        $"spec.hosts[{i}]",
                        $"hosts must be FQDN or contain only prefix wildcards if no endpoints are provided for resolution mode {resolution}, {error}");
                    break;
                }
            }
        }

        if (resolution == "DNS_ROUND_ROBIN" && endpoints.Count > 1)
        {
            context.Error("spec.endpoints", $"there must only be 0 or 1 endpoint for resolution mode {resolution}");
        }

        for (var i = 0; i < endpoints.Count; i++)
        {
            var endpoint = endpoints[i];
            var at = $"spec.endpoints[{i}]";
            var address = endpoint.Address ?? string.Empty;
            if (!GoNetip.IsValidAddress(address) && DnsNames.ValidateFqdn(address) is not null)
            {
                context.Error(at + ".address", $"endpoint address {GoStrconv.Quote(address)} is not a valid FQDN or an IP address");
            }

            LabelInstances.Validate(context, at + ".labels", endpoint.Labels);
            WorkloadEntryRules.ValidatePorts(context, endpoint.Ports, at + ".ports", servicePorts);
        }

        if (addresses.Count > 0 && hosts.Count > 1)
        {
            for (var i = 0; i < ports.Count; i++)
            {
                if (PortProtocols.Parse(ports[i].Protocol).IsTcp())
                {
                    context.Warning(
                        "spec.hosts",
                        "service entry can not have more than one host specified simultaneously with address and tcp port");
                    break;
                }
            }
        }
    }

    private static void CheckDynamicDns(
        ValidationContext context,
        ServiceEntrySpec se,
        string resolution,
        IReadOnlyList<string> hosts,
        IReadOnlyList<string> addresses,
        IReadOnlyList<ServicePort> ports,
        IReadOnlyList<WorkloadEntrySpec> endpoints)
    {
        if (hosts.Count == 0)
        {
            context.Error("spec.hosts", $"at least one wildcard host must be provided for resolution type {resolution}");
        }

        for (var i = 0; i < hosts.Count; i++)
        {
            if (!hosts[i].StartsWith('*'))
            {
                context.Error($"spec.hosts[{i}]", $"host must be wildcarded for resolution mode {resolution}");
            }
        }

        // Istio's wording, missing spaces included.
        if (addresses.Count > 0)
        {
            context.Error(
                "spec.addresses",
                $"addresses cannot be set for resolution type {resolution}. HTTP route domains will only be generatedfrom the hosts field values");
        }

        if (endpoints.Count > 0)
        {
            context.Error(
                "spec.endpoints",
                $"endpoints cannot be set for resolution type {resolution}. Destination IP address determined from hostsfield values");
        }

        for (var i = 0; i < ports.Count; i++)
        {
            if (PortProtocols.Parse(ports[i].Protocol) is not (PortProtocol.Http or PortProtocol.Tls or PortProtocol.Grpc or PortProtocol.Http2))
            {
                context.Error($"spec.ports[{i}].protocol", $"only HTTP, TLS, GRPC, and HTTP2 protocols are supported for resolution type {resolution}");
            }
        }

        var location = EnumNames.Of(se.Location, EnumNames.Location);
        if (location is not ("MESH_EXTERNAL" or "MESH_INTERNAL"))
        {
            context.Error("spec.location", $"location must be MESH_EXTERNAL or MESH_INTERNAL for resolution type {resolution}");
        }

        if (location == "MESH_INTERNAL" && UsesWaypoint(context))
        {
            context.Error("spec.location", $"location MESH_INTERNAL with resolution type {resolution} is not supported when using waypoints");
        }
    }

    /// <summary>Istio's <c>ValidatePartialWildCard</c>: a '*' anywhere but as the whole host or a leading "*." label.</summary>
    private static bool UsesWaypoint(ValidationContext context) =>
        context.Resource.Metadata.Labels.TryGetValue(UseWaypointLabel, out var value) && value.Length > 0
        && !value.Equals("none", StringComparison.OrdinalIgnoreCase);

    private static bool AutoAllocationOptedOut(ValidationContext context) =>
        context.Resource.Metadata.Labels.TryGetValue(AutoAllocateLabel, out var value) && value.Equals("false", StringComparison.OrdinalIgnoreCase);
}
