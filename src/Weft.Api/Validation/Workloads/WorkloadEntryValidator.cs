using Weft.Api.Model.Networking;

namespace Weft.Api.Validation.Workloads;

/// <summary>
/// Istio's <c>ValidateWorkloadEntry</c>: an address (IP, DNS name or unix socket; may be empty only with a network),
/// valid port names and numbers, valid labels. Istio does not check the ports against any ServiceEntry here.
/// </summary>
internal sealed class WorkloadEntryValidator : ISpecValidator
{
    public string Kind => "WorkloadEntry";

    public void Validate(ValidationContext context)
    {
        var entry = context.Resource.Spec as WorkloadEntrySpec ?? new WorkloadEntrySpec();
        WorkloadEntryRules.Validate(context, entry, "spec", servicePorts: null, allowFqdnAddresses: true);
    }
}
