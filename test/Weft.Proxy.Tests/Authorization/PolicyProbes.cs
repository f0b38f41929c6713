using System.Text.Json;
using Weft.Api.Model.Security;

namespace Weft.Proxy.Tests.Authorization;

/// <summary>
/// Requests that probe what AuthorizationPolicies say: for every value a policy names (methods, paths, hosts, ports,
/// principals, namespaces, service accounts, trust domains, request principals, IP blocks, and each <c>when</c> key) a
/// concrete value that its pattern matches; one probe per value, one per rule with all its conditions met, and seeded
/// random mixes of them, around a neutral request none of them names.
/// </summary>
internal static class PolicyProbes
{
    public static IReadOnlyList<Probe> For(IEnumerable<(string Namespace, AuthorizationPolicySpec Spec)> policies, int randomMixes = 40)
    {
        var single = new List<Func<Probe, Probe>>();
        var perRule = new List<Func<Probe, Probe>>();
        foreach (var (ns, spec) in policies)
        {
            foreach (var rule in spec.Rules ?? [])
            {
                var ruleSetters = new List<Func<Probe, Probe>>();
                foreach (var from in rule?.From ?? [])
                {
                    var source = from?.Source;
                    Add(single, ruleSetters, source?.Principals, source?.NotPrincipals, v => p => p with { Peer = Principal(v) });
                    Add(single, ruleSetters, source?.Namespaces, source?.NotNamespaces, v => p => p with { Peer = $"spiffe://cluster.local/ns/{Concrete(v)}/sa/default" });
                    Add(single, ruleSetters, source?.ServiceAccounts, source?.NotServiceAccounts, v => p => p with { Peer = ServiceAccount(v, ns) });
                    Add(single, ruleSetters, source?.TrustDomains, source?.NotTrustDomains, v => p => p with { Peer = $"spiffe://{Concrete(v)}/ns/{ns}/sa/default" });
                    Add(single, ruleSetters, source?.RequestPrincipals, source?.NotRequestPrincipals, v => p => p with { Jwt = RequestPrincipal(v) });
                    Add(single, ruleSetters, source?.IpBlocks, source?.NotIpBlocks, v => p => p with { SourceIp = Address(v) });
                    Add(single, ruleSetters, source?.RemoteIpBlocks, source?.NotRemoteIpBlocks, v => p => p with { ForwardedFor = Address(v) });
                }

                foreach (var to in rule?.To ?? [])
                {
                    var operation = to?.Operation;
                    Add(single, ruleSetters, operation?.Methods, operation?.NotMethods, v => p => p with { Method = Concrete(v) });
                    Add(single, ruleSetters, operation?.Paths, operation?.NotPaths, v => p => p with { Path = PathOf(v) });
                    Add(single, ruleSetters, operation?.Hosts, operation?.NotHosts, v => p => p with { Host = Concrete(v) });
                    Add(single, ruleSetters, operation?.Ports, operation?.NotPorts, v => p => p with { Port = int.Parse(v, System.Globalization.CultureInfo.InvariantCulture) });
                }

                foreach (var when in rule?.When ?? [])
                {
                    if (When(when?.Key ?? string.Empty, ns) is { } setter)
                    {
                        Add(single, ruleSetters, when!.Values, when.NotValues, setter);
                    }
                }

                perRule.Add(p => ruleSetters.Aggregate(p, (probe, set) => set(probe)));
            }
        }

        var neutral = new Probe();

        // Requests no policy in particular names, so that even a policy without conditions is probed more than once.
        var probes = new List<Probe>
        {
            neutral,
            neutral with { Method = "DELETE", Path = "/admin?x=1" },
            neutral with { Peer = "spiffe://cluster.local/ns/default/sa/client", SourceIp = "192.168.0.7" },
            neutral with { ForwardedFor = "203.0.113.9", Jwt = """{"iss":"https://issuer.example","sub":"someone"}""" },
            neutral with { Port = 9443, Host = "other.example.com:9443", Sni = "other.example.com" },
        };
        probes.AddRange(single.Select(set => set(neutral)));
        probes.AddRange(perRule.Select(set => set(neutral)));
        var random = new Random(5);
        for (var i = 0; i < randomMixes && single.Count > 0; i++)
        {
            var probe = neutral;
            foreach (var set in single)
            {
                if (random.Next(3) == 0)
                {
                    probe = set(probe);
                }
            }

            probes.Add(probe);
        }

        return probes.Distinct().ToArray();
    }

    /// <summary>The probe edits for a <c>when</c> key; null for keys probes cannot express.</summary>
    private static Func<string, Func<Probe, Probe>>? When(string key, string ns)
    {
        switch (key)
        {
            case "source.ip":
                return v => p => p with { SourceIp = Address(v) };
            case "remote.ip":
                return v => p => p with { ForwardedFor = Address(v) };
            case "source.namespace":
                return v => p => p with { Peer = $"spiffe://cluster.local/ns/{Concrete(v)}/sa/default" };
            case "source.principal":
                return v => p => p with { Peer = Principal(v) };
            case "source.serviceAccount":
                return v => p => p with { Peer = ServiceAccount(v, ns) };
            case "request.auth.principal":
                return v => p => p with { Jwt = RequestPrincipal(v) };
            case "request.auth.audiences":
                return v => p => p with { Jwt = Claims(["aud"], Concrete(v)) };
            case "request.auth.presenter":
                return v => p => p with { Jwt = Claims(["azp"], Concrete(v)) };
            case "destination.ip":
                return v => p => p with { DestinationIp = Address(v) };
            case "destination.port":
                return v => p => p with { Port = int.Parse(v, System.Globalization.CultureInfo.InvariantCulture) };
            case "connection.sni":
                return v => p => p with { Sni = Concrete(v) };
        }

        if (key.StartsWith("request.headers[", StringComparison.Ordinal) && key.EndsWith(']'))
        {
            var name = key["request.headers[".Length..^1];
            return v => p => p with { Headers = [.. p.Headers.Where(h => !h.Name.Equals(name, StringComparison.OrdinalIgnoreCase)), (name, Concrete(v))] };
        }

        if (key.StartsWith("request.auth.claims", StringComparison.Ordinal))
        {
            var path = key["request.auth.claims".Length..].Trim('[', ']').Split("][");
            return v => p => p with { Jwt = Claims(path, Concrete(v)) };
        }

        if (key.StartsWith("experimental.envoy.filters.", StringComparison.Ordinal) && key.EndsWith(']'))
        {
            var name = key["experimental.".Length..^1];
            var bracket = name.IndexOf('[', StringComparison.Ordinal);
            return v => p => p with { EnvoyMetadata = (name[..bracket], name[(bracket + 1)..], Concrete(v.Trim('[', ']'))) };
        }

        return null;
    }

    private static void Add(List<Func<Probe, Probe>> single, List<Func<Probe, Probe>> rule, IReadOnlyList<string>? values, IReadOnlyList<string>? notValues, Func<string, Func<Probe, Probe>> setter)
    {
        foreach (var value in values ?? [])
        {
            single.Add(setter(value));
        }

        foreach (var value in notValues ?? [])
        {
            single.Add(setter(value));
        }

        if (values is { Count: > 0 })
        {
            rule.Add(setter(values[0]));
        }
    }

    /// <summary>A value a pattern matches: <c>*</c> any, <c>x*</c> with a tail, <c>*x</c> with a head.</summary>
    private static string Concrete(string pattern) => pattern switch
    {
        "*" => "anything",
        _ when pattern.StartsWith('*') => "head" + pattern[1..],
        _ when pattern.EndsWith('*') => pattern[..^1] + "tail",
        _ => pattern,
    };

    private static string PathOf(string pattern) =>
        Concrete(pattern.Replace("{**}", "a/b", StringComparison.Ordinal).Replace("{*}", "seg", StringComparison.Ordinal)) is var path && path.StartsWith('/') ? path : "/" + path;

    private static string Principal(string pattern)
    {
        var parts = pattern.Split('/');
        return "spiffe://" + string.Join('/', parts.Select(Concrete));
    }

    private static string ServiceAccount(string value, string ns)
    {
        var slash = value.IndexOf('/', StringComparison.Ordinal);
        return slash < 0 ? $"spiffe://cluster.local/ns/{ns}/sa/{value}" : $"spiffe://cluster.local/ns/{value[..slash]}/sa/{value[(slash + 1)..]}";
    }

    private static string RequestPrincipal(string pattern)
    {
        var value = Concrete(pattern);
        var slash = value.LastIndexOf('/');
        var (iss, sub) = slash < 0 ? (value, "subject") : (value[..slash], value[(slash + 1)..]);
        return JsonSerializer.Serialize(new Dictionary<string, string> { ["iss"] = iss, ["sub"] = sub });
    }

    private static string Claims(IReadOnlyList<string> path, string value)
    {
        object claim = value;
        for (var i = path.Count - 1; i >= 1; i--)
        {
            claim = new Dictionary<string, object> { [path[i]] = claim };
        }

        return JsonSerializer.Serialize(new Dictionary<string, object> { [path[0]] = claim, ["iss"] = "issuer", ["sub"] = "subject" });
    }

    /// <summary>An address a block holds: the block's own address.</summary>
    private static string Address(string block) => block.Split('/')[0];
}
