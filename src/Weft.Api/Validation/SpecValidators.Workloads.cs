using Weft.Api.Validation.Workloads;

namespace Weft.Api.Validation;

internal static partial class SpecValidators
{
    // ServiceEntry, Sidecar, WorkloadEntry, WorkloadGroup, EnvoyFilter, ProxyConfig.
    private static IEnumerable<ISpecValidator> Workloads() =>
    [
        new ServiceEntryValidator(),
        new SidecarValidator(),
        new WorkloadEntryValidator(),
        new WorkloadGroupValidator(),
        new EnvoyFilterValidator(),
        new ProxyConfigValidator(),
    ];
}
