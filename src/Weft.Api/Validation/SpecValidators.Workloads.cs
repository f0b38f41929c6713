namespace Weft.Api.Validation;

internal static partial class SpecValidators
{
    // ServiceEntry, Sidecar, WorkloadEntry, WorkloadGroup, EnvoyFilter, ProxyConfig.
    private static IEnumerable<ISpecValidator> Workloads() => [];
}
