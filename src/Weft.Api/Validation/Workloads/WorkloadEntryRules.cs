using Weft.Api.GoCompat;
using Weft.Api.Model.Networking;
using Weft.Api.Validation.Rules;

namespace Weft.Api.Validation.Workloads;

/// <summary>
/// Istio's <c>validateWorkloadEntry</c>: a WorkloadEntry on its own, or a STATIC ServiceEntry's endpoint (then the
/// port names must be the service's and addresses must be IPs or unix sockets).
/// </summary>
internal static class WorkloadEntryRules
{
    /// <param name="servicePorts">The ServiceEntry's port names, or null for a WorkloadEntry.</param>
    /// <param name="allowFqdnAddresses">Whether a DNS name is an acceptable address.</param>
    public static void Validate(ValidationContext context, WorkloadEntrySpec entry, string path, HashSet<string>? servicePorts, bool allowFqdnAddresses)
    {
        var address = entry.Address ?? string.Empty;
        if (address.Length == 0)
        {
            if (string.IsNullOrEmpty(entry.Network))
            {
                context.Error(path + ".address", "address is required");
                return;
            }

            context.Warning(path + ".address", $"address is unset with network {GoStrconv.Quote(entry.Network)}");
        }

        var unix = false;
        if (UnixAddresses.HasPrefix(address))
        {
            unix = true;
            if (UnixAddresses.ValidatePath(address[UnixAddresses.Prefix.Length..]) is { } pathError)
            {
                context.Error(path + ".address", pathError);
            }

            if (entry.Ports is { Count: > 0 })
            {
                context.Error(path + ".ports", $"unix endpoint {address} must not include ports");
            }
        }
        else if (address.Length > 0 && !GoNetip.IsValidAddress(address))
        {
            if (!allowFqdnAddresses)
            {
                context.Error(path + ".address", $"endpoint address {GoStrconv.Quote(address)} is not a valid IP address");
            }
            else if (DnsNames.ValidateFqdn(address) is not null)
            {
                context.Error(path + ".address", $"endpoint address {GoStrconv.Quote(address)} is not a valid FQDN or an IP address");
            }
        }

        ValidatePorts(context, entry.Ports, path + ".ports", servicePorts);
        LabelInstances.Validate(context, path + ".labels", entry.Labels);
        if (unix && servicePorts is not null && servicePorts.Count != 1)
        {
            context.Error(path + ".address", "exactly 1 service port required for unix endpoints");
        }
    }

    /// <summary>An endpoint's port map: names declared by the service (when known), valid names, numbers in range.</summary>
    public static void ValidatePorts(ValidationContext context, IReadOnlyDictionary<string, long>? ports, string path, HashSet<string>? servicePorts)
    {
        if (ports is null)
        {
            return;
        }

        foreach (var (name, number) in ports)
        {
            var at = path + "[" + name + "]";
            if (servicePorts is not null && !servicePorts.Contains(name))
            {
                context.Error(at, $"endpoint port {number} is not defined by the service entry");
            }

            if (!DnsNames.IsDns1123Label(name))
            {
                context.Error(at, $"invalid port name: {name}");
            }

            if (Ports.Validate(number) is { } portError)
            {
                context.Error(at, portError);
            }
        }
    }
}
