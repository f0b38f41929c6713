using Weft.Api.GoCompat;
using Weft.Api.Model.Networking;
using Weft.Api.Validation.Rules;

namespace Weft.Api.Validation.Traffic;

/// <summary>
/// Istio's checks of a DestinationRule traffic policy (<c>validateTrafficPolicy</c>): outlier detection, connection
/// pool, load balancer (consistent hash, locality and zone-aware settings, warmup), client TLS, port-level
/// policies, tunnel and proxy protocol settings.
/// </summary>
internal static class TrafficPolicyRules
{
    private const string TopologyRegion = "topology.kubernetes.io/region";
    private const string TopologyZone = "topology.kubernetes.io/zone";
    private const string TopologySubzone = "topology.istio.io/subzone";
    private const string ConfigMapCredentialPrefix = "configmap://";

    public static void Validate(ValidationContext context, string path, string configNamespace, TrafficPolicy? policy)
    {
        if (policy is null)
        {
            return;
        }

        if (policy.OutlierDetection is null && policy.ConnectionPool is null && policy.LoadBalancer is null && policy.Tls is null
            && policy.PortLevelSettings is not { Count: > 0 } && policy.Tunnel is null && policy.ProxyProtocol is null && policy.RetryBudget is null)
        {
            context.Error(path, "traffic policy must have at least one field");
            return;
        }

        if (policy.Tunnel is not null && policy.ProxyProtocol is not null)
        {
            context.Error(path, "tunnel and proxyProtocol must not be set together");
            return;
        }

        ValidateOutlierDetection(context, path + ".outlierDetection", policy.OutlierDetection);
        ConnectionPoolRules.Validate(context, path + ".connectionPool", policy.ConnectionPool);
        ValidateLoadBalancer(context, path + ".loadBalancer", policy.LoadBalancer, policy.OutlierDetection);
        ValidateClientTls(context, path + ".tls", configNamespace, policy.Tls);
        ValidatePortPolicies(context, path + ".portLevelSettings", configNamespace, policy.PortLevelSettings);
        ValidateTunnel(context, path + ".tunnel", policy.Tunnel);
        ValidateProxyProtocol(context, path + ".proxyProtocol", policy.ProxyProtocol);
    }

    private static void Report(ValidationContext context, string path, string? error)
    {
        if (error is not null)
        {
            context.Error(path, error);
        }
    }

    private static string? ValidatePercent(long value) => value is < 0 or > 100 ? $"percentage {value} is not in range 0..100" : null;

    public static void ValidateOutlierDetection(ValidationContext context, string path, OutlierDetection? outlier)
    {
        if (outlier is null)
        {
            return;
        }

        Durations.Validate(context, path + ".baseEjectionTime", outlier.BaseEjectionTime);
        if (outlier.ConsecutiveErrors is not null and not 0)
        {
            context.Warning(path + ".consecutiveErrors", "outlier detection consecutive errors is deprecated, use consecutiveGatewayErrors or consecutive5xxErrors instead");
        }

        if (outlier.SplitExternalLocalOriginErrors != true && outlier.ConsecutiveLocalOriginFailures is > 0)
        {
            context.Error(path + ".consecutiveLocalOriginFailures", "outlier detection consecutive local origin failures is specified, but split external local origin errors is set to false");
        }

        Durations.Validate(context, path + ".interval", outlier.Interval);
        Report(context, path + ".maxEjectionPercent", ValidatePercent(outlier.MaxEjectionPercent ?? 0));
        Report(context, path + ".minHealthPercent", ValidatePercent(outlier.MinHealthPercent ?? 0));
    }

    public static void ValidateLoadBalancer(ValidationContext context, string path, LoadBalancerSettings? settings, OutlierDetection? outlier)
    {
        if (settings is null)
        {
            return;
        }

        if (settings.ConsistentHash is { } hash)
        {
            var p = path + ".consistentHash";
            if (hash.HttpCookie is { } cookie)
            {
                if (string.IsNullOrEmpty(cookie.Name))
                {
                    context.Error(p + ".httpCookie.name", "name required for HttpCookie");
                }

                if (cookie.Attributes is { Count: > 0 } attributes)
                {
                    var names = new HashSet<string>(StringComparer.Ordinal);
                    for (var i = 0; i < attributes.Count; i++)
                    {
                        var name = attributes[i].Name ?? string.Empty;
                        var ap = $"{p}.httpCookie.attributes[{i}].name";
                        if (name.Length == 0)
                        {
                            context.Error(ap, "cookie attribute name cannot be empty");
                        }
                        else if (!names.Add(name))
                        {
                            context.Error(ap, $"duplicate cookie attribute name: {name}");
                        }
                    }
                }
            }

            var hasRingSize = hash.MinimumRingSize is { } ringSize and not 0;
            if (hasRingSize)
            {
                context.Warning(p + ".minimumRingSize", "consistent hash MinimumRingSize is deprecated, use ConsistentHashLB's RingHash configuration instead");
                if (hash.RingHash is not null || hash.Maglev is not null)
                {
                    context.Error(p + ".minimumRingSize", "only one of MinimumRingSize or Maglev/Ringhash can be specified");
                }
            }

            if (hash.Maglev is { } maglev)
            {
                var tableSize = maglev.TableSize ?? 0;
                var tp = p + ".maglev.tableSize";
                if (tableSize == 0)
                {
                    context.Error(tp, "tableSize must be set for maglev");
                }

                if (tableSize >= 5000011)
                {
                    context.Error(tp, "tableSize must be less than 5000011 for maglev");
                }

                if (!IsPrime(unchecked((ulong)tableSize)))
                {
                    context.Error(tp, "tableSize must be a prime number for maglev");
                }
            }
        }

        if (settings.LocalityLbSetting is not null && settings.ZoneAwareLbSetting is not null)
        {
            context.Error(path, "only one of localityLbSetting and zoneAwareLbSetting can be set");
        }

        ValidateLocalityLbSetting(context, path + ".localityLbSetting", settings.LocalityLbSetting, outlier);
        ValidateZoneAwareLbSetting(context, path + ".zoneAwareLbSetting", settings.ZoneAwareLbSetting, outlier);

        if (settings.Warmup is { } warmup)
        {
            var p = path + ".warmup";
            if (warmup.Duration is null)
            {
                context.Error(p + ".duration", "duration is required");
            }
            else
            {
                Durations.Validate(context, p + ".duration", warmup.Duration);
            }

            if (warmup.MinimumPercent > 100)
            {
                context.Error(p + ".minimumPercent", "minimumPercent value should be less than or equal to 100");
            }

            if (warmup.Aggression is { } aggression && aggression <= 0)
            {
                context.Error(p + ".aggression", "aggression should be greater than 0");
            }
        }
    }

    // Envoy's primality test, which Istio copies.
    private static bool IsPrime(ulong x)
    {
        if (x != 0 && x < 4)
        {
            return true;
        }

        if ((x & 1) == 0)
        {
            return false;
        }

        var limit = (ulong)Math.Sqrt(x);
        for (ulong factor = 3; factor <= limit; factor += 2)
        {
            if (x % factor == 0)
            {
                return false;
            }
        }

        return true;
    }

    // Istio reports only the first problem of the distribute and failover-priority checks.
    public static void ValidateLocalityLbSetting(ValidationContext context, string path, LocalityLoadBalancerSetting? lb, OutlierDetection? outlier)
    {
        if (lb is null)
        {
            return;
        }

        var distribute = lb.Distribute ?? [];
        var failover = lb.Failover ?? [];
        var priority = lb.FailoverPriority ?? [];
        if (distribute.Count > 0 && failover.Count > 0)
        {
            context.Error(path, "can not simultaneously specify 'distribute' and 'failover'");
            return;
        }

        if (failover.Count > 0)
        {
            for (var i = 0; i < priority.Count; i++)
            {
                if (priority[i] is TopologyRegion or TopologyZone or TopologySubzone)
                {
                    context.Error($"{path}.failoverPriority[{i}]", $"can not simultaneously set 'failover' and topology label '{priority[i]}' in 'failover_priority'");
                    return;
                }
            }
        }

        var sources = new List<string>(distribute.Count);
        for (var i = 0; i < distribute.Count; i++)
        {
            var entry = distribute[i];
            var p = $"{path}.distribute[{i}]";
            sources.Add(entry.From ?? string.Empty);
            var destinations = new List<string>();
            long total = 0;
            if (entry.To is { } to)
            {
                foreach (var (locality, weight) in to)
                {
                    destinations.Add(locality);
                    if (weight is <= 0 or > 100)
                    {
                        context.Error($"{p}.to[{locality}]", "locality weight must be in range [1, 100]");
                        return;
                    }

                    total += weight;
                }
            }

            if (total != 100)
            {
                context.Error(p + ".to", $"total locality weight {total} != 100");
                return;
            }

            Report(context, p + ".to", ValidateLocalities(destinations));
        }

        Report(context, path + ".distribute", ValidateLocalities(sources));

        if ((failover.Count > 0 || priority.Count > 0) && outlier is null)
        {
            context.Warning(path, "outlier detection policy must be provided for failover");
        }

        for (var i = 0; i < failover.Count; i++)
        {
            var from = failover[i].From ?? string.Empty;
            var to = failover[i].To ?? string.Empty;
            var p = $"{path}.failover[{i}]";
            if (from == to)
            {
                context.Error(p, "locality lb failover settings must specify different regions");
            }

            if (from.Contains('/', StringComparison.Ordinal) || to.Contains('/', StringComparison.Ordinal))
            {
                context.Error(p, "locality lb failover only specify region");
            }

            if (to.Contains('*', StringComparison.Ordinal) || from.Contains('*', StringComparison.Ordinal))
            {
                context.Error(p, "locality lb failover region should not contain '*' wildcard");
            }
        }
    }

    public static void ValidateZoneAwareLbSetting(ValidationContext context, string path, ZoneAwareLoadBalancerSetting? lb, OutlierDetection? outlier)
    {
        if (lb is null)
        {
            return;
        }

        var failover = lb.Failover ?? [];
        var priority = lb.FailoverPriority ?? [];
        for (var i = 0; i < priority.Count; i++)
        {
            if (priority[i] is TopologyRegion or TopologyZone or TopologySubzone)
            {
                context.Error($"{path}.failoverPriority[{i}]", $"'failover_priority' for zone aware lb must not use topology label '{priority[i]}'; region- and zone-level routing are handled automatically");
            }
        }

        if ((failover.Count > 0 || priority.Count > 0) && outlier is null)
        {
            context.Warning(path, "outlier detection policy must be provided for failover");
        }

        for (var i = 0; i < failover.Count; i++)
        {
            var from = failover[i].From ?? string.Empty;
            var to = failover[i].To ?? string.Empty;
            var p = $"{path}.failover[{i}]";
            if (from == to)
            {
                context.Error(p, "zone aware lb failover settings must specify different regions");
            }

            if (from.Contains('/', StringComparison.Ordinal) || to.Contains('/', StringComparison.Ordinal))
            {
                context.Error(p, "zone aware lb failover only specifies region; zone and subzone failover are handled automatically");
            }

            if (to.Contains('*', StringComparison.Ordinal) || from.Contains('*', StringComparison.Ordinal))
            {
                context.Error(p, "zone aware lb failover region should not contain '*' wildcard");
            }
        }
    }

    // Localities are region[/zone[/subzone]] with at most one trailing '*', none overlapping another.
    private static string? ValidateLocalities(List<string> localities)
    {
        var regions = new Dictionary<string, Dictionary<string, HashSet<string>>>(StringComparer.Ordinal);
        foreach (var locality in localities)
        {
            var stars = locality.Count(c => c == '*');
            if (stars > 0 && (stars > 1 || !locality.EndsWith('*')))
            {
                return $"locality {locality} wildcard '*' number can not exceed 1 and must be in the end";
            }

            if (regions.ContainsKey("*"))
            {
                return $"locality {locality} overlap with previous specified ones";
            }

            var items = locality.Split('/', 3);
            if (Array.Exists(items, item => item.Length == 0))
            {
                return $"locality {locality} must not contain empty region/zone/subzone info";
            }

            var region = items[0];
            switch (items.Length - 1)
            {
                case 0:
                    if (regions.ContainsKey(region))
                    {
                        return $"locality {locality} overlap with previous specified ones";
                    }

                    regions[region] = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal) { ["*"] = new(StringComparer.Ordinal) { "*" } };
                    break;
                case 1:
                {
                    var zone = items[1];
                    if (regions.TryGetValue(region, out var zones))
                    {
                        if (zones.ContainsKey("*") || zones.ContainsKey(zone))
                        {
                            return $"locality {locality} overlap with previous specified ones";
                        }

                        zones[zone] = new HashSet<string>(StringComparer.Ordinal) { "*" };
                    }
                    else
                    {
                        regions[region] = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal) { [zone] = new(StringComparer.Ordinal) { "*" } };
                    }

                    break;
                }

                default:
                {
                    var zone = items[1];
                    var subzone = items[2];
                    if (regions.TryGetValue(region, out var zones))
                    {
                        if (zones.ContainsKey("*"))
                        {
                            return $"locality {locality} overlap with previous specified ones";
                        }

                        if (zones.TryGetValue(zone, out var subzones))
                        {
                            if (subzones.Contains("*") || subzones.Contains(subzone))
                            {
                                return $"locality {locality} overlap with previous specified ones";
                            }

                            subzones.Add(subzone);
                        }
                        else
                        {
                            zones[zone] = new HashSet<string>(StringComparer.Ordinal) { subzone };
                        }
                    }
                    else
                    {
                        regions[region] = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal) { [zone] = new(StringComparer.Ordinal) { subzone } };
                    }

                    break;
                }
            }
        }

        return null;
    }

    /// <summary>Istio's <c>ValidateTLS</c> of client TLS settings.</summary>
    public static void ValidateClientTls(ValidationContext context, string path, string configNamespace, ClientTLSSettings? settings)
    {
        if (settings is null)
        {
            return;
        }

        var credentialName = settings.CredentialName ?? string.Empty;
        if (credentialName.StartsWith(ConfigMapCredentialPrefix, StringComparison.Ordinal))
        {
            var rest = credentialName[ConfigMapCredentialPrefix.Length..];
            var parts = rest.Split('/');
            string? parseError = null;
            if (parts.Length <= 1)
            {
                parseError = $"invalid resource name {GoStrconv.Quote(credentialName)}. Expected namespace and name";
            }
            else if (parts[0].Length == 0)
            {
                parseError = $"invalid resource name {GoStrconv.Quote(credentialName)}. Expected namespace";
            }
            else if (parts[1].Length == 0)
            {
                parseError = $"invalid resource name {GoStrconv.Quote(credentialName)}. Expected name";
            }

            if (parseError is not null)
            {
                context.Error(path + ".credentialName", $"invalid configmap:// credentialName: {parseError}");
            }
            else if (parts[0] != configNamespace || configNamespace.Length == 0)
            {
                context.Error(path + ".credentialName", $"invalid configmap:// credentialName: namespace must match the configuration namespace {GoStrconv.Quote(configNamespace)}");
            }
        }

        var mode = EnumNames.Of(settings.Mode, EnumNames.ClientTlsMode);
        var simple = mode == "SIMPLE";
        var mutual = mode == "MUTUAL";
        var hasCa = !string.IsNullOrEmpty(settings.CaCertificates);
        var hasSans = settings.SubjectAltNames is { Count: > 0 };
        if (settings.InsecureSkipVerify == true)
        {
            if (simple && (hasCa || credentialName.Length > 0 || hasSans))
            {
                context.Error(path + ".insecureSkipVerify", "cannot specify CaCertificates or CredentialName or SubjectAltNames when InsecureSkipVerify is set true");
            }

            if (mutual && (hasCa || hasSans))
            {
                context.Error(path + ".insecureSkipVerify", "cannot specify CaCertificates or SubjectAltNames when InsecureSkipVerify is set true");
            }
        }

        if ((simple || mutual) && credentialName.Length > 0)
        {
            if (!string.IsNullOrEmpty(settings.ClientCertificate) || hasCa || !string.IsNullOrEmpty(settings.PrivateKey) || !string.IsNullOrEmpty(settings.CaCrl))
            {
                context.Error(path + ".credentialName", "cannot specify client certificates or CA certificate or CA CRL If credentialName is set");
            }

            return;
        }

        if (mutual)
        {
            if (string.IsNullOrEmpty(settings.ClientCertificate))
            {
                context.Error(path + ".clientCertificate", "client certificate required for mutual tls");
            }

            if (string.IsNullOrEmpty(settings.PrivateKey))
            {
                context.Error(path + ".privateKey", "private key required for mutual tls");
            }
        }
    }

    private static void ValidatePortPolicies(ValidationContext context, string path, string configNamespace, IReadOnlyList<PortTrafficPolicy>? policies)
    {
        if (policies is null)
        {
            return;
        }

        for (var i = 0; i < policies.Count; i++)
        {
            var policy = policies[i];
            var p = $"{path}[{i}]";
            if (policy.Port is null)
            {
                context.Error(p + ".port", "portTrafficPolicy must have valid port");
            }

            if (policy.OutlierDetection is null && policy.ConnectionPool is null && policy.LoadBalancer is null && policy.Tls is null)
            {
                context.Error(p, "port traffic policy must have at least one field");
                continue;
            }

            ValidateOutlierDetection(context, p + ".outlierDetection", policy.OutlierDetection);
            ConnectionPoolRules.Validate(context, p + ".connectionPool", policy.ConnectionPool);
            ValidateLoadBalancer(context, p + ".loadBalancer", policy.LoadBalancer, policy.OutlierDetection);
            ValidateClientTls(context, p + ".tls", configNamespace, policy.Tls);
        }
    }

    private static void ValidateTunnel(ValidationContext context, string path, TrafficPolicyTunnelSettings? tunnel)
    {
        if (tunnel is null)
        {
            return;
        }

        if (!string.IsNullOrEmpty(tunnel.Protocol) && tunnel.Protocol is not "CONNECT" and not "POST")
        {
            context.Error(path + ".protocol", "tunnel protocol must be \"CONNECT\" or \"POST\"");
        }

        var host = tunnel.TargetHost ?? string.Empty;
        if (DnsNames.ValidateFqdn(host) is { } fqdnError && IpAddresses.ValidateAddress(host) is { } ipError)
        {
            context.Error(path + ".targetHost", $"tunnel target host must be valid FQDN or IP address: {fqdnError}; {ipError}");
        }

        if (Ports.Validate(tunnel.TargetPort ?? 0) is { } portError)
        {
            context.Error(path + ".targetPort", $"tunnel target port is invalid: {portError}");
        }
    }

    private static void ValidateProxyProtocol(ValidationContext context, string path, TrafficPolicyProxyProtocol? proxyProtocol)
    {
        if (proxyProtocol?.Version is { } version && EnumNames.Of(version, EnumNames.ProxyProtocolVersion) is not ("V1" or "V2"))
        {
            context.Error(path + ".version", $"proxy protocol version is invalid: {version}");
        }
    }
}
