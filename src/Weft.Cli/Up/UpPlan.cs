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
    /// <summary>The WorkloadEntry that gives the client proxy a workload identity (and so a certificate) when it exists.</summary>
    public const string ClientWorkload = "weft-up-client";

    /// <summary>The client's identity: the service account of WorkloadEntry default/weft-up-client; null when there is none.</summary>
    public string? ClientServiceAccount { get; init; }

    /// <summary>Whether any proxy needs a workload certificate, so the control plane must run its CA.</summary>
    public bool NeedsCertificates => ClientServiceAccount is not null || Workloads.Any(w => w.Sidecar is not null);

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
        var client = config.OfKind("WorkloadEntry").FirstOrDefault(w => w.Key.Namespace == "default" && w.Key.Name == ClientWorkload);
        return new UpPlan(workloads, targets, notes, errors)
        {
            ClientServiceAccount = client is null ? null : client.Spec<WorkloadEntrySpec>().ServiceAccount is { Length: > 0 } account ? account : "default",
        };
    }

    private static List<PlannedWorkload> PlanWorkloads(ConfigSnapshot config, Func<string, string> shown, List<string> notes, List<string> errors)
    {
        var planned = new List<PlannedWorkload>();
        var byPort = new Dictionary<int, PlannedWorkload>();
        foreach (var stored in config.OfKind("WorkloadEntry"))
        {
            var spec = stored.Spec<WorkloadEntrySpec>();
            var name = $"WorkloadEntry {stored.Key.Namespace}/{stored.Key.Name}";
            if (stored.Key.Namespace == "default" && stored.Key.Name == ClientWorkload)
            {
                // The client's identity, not a workload to run.
                continue;
            }

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
                shown(stored.File))
            {
                Labels = labels,
                ServiceAccount = spec.ServiceAccount is { Length: > 0 } account ? account : "default",
                Sidecar = SidecarFor(config, stored.Key.Namespace, labels, port, name, notes),
            };
            if (byPort.TryGetValue(port, out var other))
            {
                errors.Add($"{name} ({workload.File}) and WorkloadEntry {other.Namespace}/{other.Name} ({other.File}) both listen on 127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}; give each its own port");
                continue;
            }

            if (workload.Sidecar is { } sidecar && (sidecar.AppAddress.Port == port || byPort.ContainsKey(sidecar.AppAddress.Port)))
            {
                errors.Add($"{name} ({workload.File}): its sidecar forwards to 127.0.0.1:{sidecar.AppAddress.Port.ToString(CultureInfo.InvariantCulture)} ({sidecar.Resource}), a port another listener of this configuration takes; give the defaultEndpoint its own port");
                continue;
            }

            byPort[port] = workload;
            if (workload.Sidecar is { } behind)
            {
                byPort[behind.AppAddress.Port] = workload;
            }

            planned.Add(workload);
        }

        return planned;
    }

    /// <summary>
    /// The sidecar of a workload: a Sidecar resource of its namespace whose selector matches its labels and whose ingress
    /// listener binds the workload's endpoint port (<c>captureMode: NONE</c>) and forwards to a local defaultEndpoint.
    /// </summary>
    private static PlannedSidecar? SidecarFor(ConfigSnapshot config, string ns, IReadOnlyDictionary<string, string> labels, int port, string workload, List<string> notes)
    {
        foreach (var stored in config.OfKind("Sidecar").Where(s => s.Key.Namespace == ns))
        {
            var spec = stored.Spec<SidecarSpec>();
            var selector = spec.WorkloadSelector?.Labels;
            if (selector is null || !selector.All(kv => labels.TryGetValue(kv.Key, out var value) && value == kv.Value))
            {
                continue;
            }

            foreach (var ingress in spec.Ingress ?? [])
            {
                if (ingress.Port?.Number != port)
                {
                    continue;
                }

                var resource = $"Sidecar {stored.Key.Namespace}/{stored.Key.Name}";
                if (ingress.CaptureMode != "NONE")
                {
                    notes.Add($"not running a sidecar for {workload}: the ingress listener of {resource} on port {port.ToString(CultureInfo.InvariantCulture)} needs captureMode: NONE (weft up captures no traffic)");
                    return null;
                }

                if (ingress.DefaultEndpoint is not { } endpoint || !IPEndPoint.TryParse(endpoint, out var app) || !IPAddress.IsLoopback(app.Address) || app.Port == 0)
                {
                    notes.Add($"not running a sidecar for {workload}: the ingress listener of {resource} on port {port.ToString(CultureInfo.InvariantCulture)} must forward to a defaultEndpoint 127.0.0.1:PORT");
                    return null;
                }

                return new PlannedSidecar(resource, app);
            }
        }

        return null;
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
