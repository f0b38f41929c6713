using System.Globalization;
using System.Net;
using Weft.Api.Model.Networking;
using Weft.Control.Config;
using Weft.Control.Model;
using Weft.Control.Registry;

namespace Weft.Cli.Up;

/// <summary>
/// What <c>weft up</c> runs for a configuration: a sample workload for every WorkloadEntry on this machine (127.0.0.1 or
/// localhost), and traffic to every HTTP port of every service a VirtualService routes for sidecars. What it leaves out is
/// said in <see cref="Notes"/>; what makes it impossible to run is in <see cref="Errors"/>.
/// </summary>
internal sealed record UpPlan(IReadOnlyList<PlannedWorkload> Workloads, IReadOnlyList<TrafficTarget> Targets, IReadOnlyList<string> Notes, IReadOnlyList<string> Errors)
{
    /// <param name="directory">The directory as the user named it: files are shown under it (<c>examples/canary/service.yaml</c>).</param>
    public static UpPlan From(ConfigSnapshot config, string directory)
    {
        var notes = new List<string>();
        var errors = new List<string>();
        var root = Path.GetFullPath(directory);
        string Shown(string file)
        {
            var relative = Path.GetRelativePath(root, Path.GetFullPath(file));
            return relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative) ? file : Path.Combine(directory, relative);
        }

        var workloads = PlanWorkloads(config, Shown, notes, errors);
        var targets = PlanTargets(config, Shown, notes);
        return new UpPlan(workloads, targets, notes, errors);
    }

    private static List<PlannedWorkload> PlanWorkloads(ConfigSnapshot config, Func<string, string> shown, List<string> notes, List<string> errors)
    {
        var planned = new List<PlannedWorkload>();
        var byPort = new Dictionary<int, PlannedWorkload>();
        foreach (var stored in config.OfKind("WorkloadEntry"))
        {
            var spec = stored.Spec<WorkloadEntrySpec>();
            var name = $"WorkloadEntry {stored.Key.Namespace}/{stored.Key.Name}";
            if (spec.Address is not ("127.0.0.1" or "localhost"))
            {
                notes.Add($"not starting {name}: its address {spec.Address ?? "(none)"} is not on this machine (127.0.0.1 or localhost)");
                continue;
            }

            if (spec.Ports is not { Count: > 0 } ports)
            {
                notes.Add($"not starting {name}: it names no ports, so no sample workload knows where to listen");
                continue;
            }

            var port = (int)ports.First().Value;
            var labels = spec.Labels ?? new Dictionary<string, string>();
            var workload = new PlannedWorkload(
                stored.Key.Name,
                stored.Key.Namespace,
                labels.TryGetValue("app", out var app) ? app : stored.Key.Name,
                labels.TryGetValue("version", out var version) ? version : "latest",
                new IPEndPoint(IPAddress.Loopback, port),
                shown(stored.File));
            if (byPort.TryGetValue(port, out var other))
            {
                errors.Add($"{name} ({workload.File}) and WorkloadEntry {other.Namespace}/{other.Name} ({other.File}) both listen on 127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}; give each its own port");
                continue;
            }

            byPort[port] = workload;
            planned.Add(workload);
        }

        return planned;
    }

    private static List<TrafficTarget> PlanTargets(ConfigSnapshot config, Func<string, string> shown, List<string> notes)
    {
        var services = LocalRegistry.Build(config).Services;
        var targets = new List<TrafficTarget>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var stored in config.OfKind("VirtualService"))
        {
            var spec = stored.Spec<VirtualServiceSpec>();
            var name = $"VirtualService {stored.Key.Namespace}/{stored.Key.Name}";
            if (spec.Gateways is { Count: > 0 } gateways && !gateways.Contains("mesh"))
            {
                notes.Add($"not calling the hosts of {name}: it routes for gateways only");
                continue;
            }

            foreach (var host in (spec.Hosts ?? []).Select(h => Hosts.Resolve(h, stored.Key.Namespace)))
            {
                var matching = services.Where(s => string.Equals(s.Hostname, host, StringComparison.OrdinalIgnoreCase)).ToList();
                if (matching.Count == 0)
                {
                    notes.Add($"not calling {host} ({name}): no ServiceEntry declares it");
                    continue;
                }

                var ports = matching.SelectMany(s => s.Ports).Where(p => p.Protocol == Protocol.Http).Select(p => p.Number).Distinct().Order().ToList();
                if (ports.Count == 0)
                {
                    notes.Add($"not calling {host} ({name}): it has no HTTP port");
                    continue;
                }

                foreach (var port in ports)
                {
                    var target = new TrafficTarget(matching[0].Hostname, port, $"{stored.Key.Namespace}/{stored.Key.Name}", shown(stored.File));
                    if (seen.Add(target.Authority))
                    {
                        targets.Add(target);
                    }
                }
            }
        }

        return targets;
    }
}
