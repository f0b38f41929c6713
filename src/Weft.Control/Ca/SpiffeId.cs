namespace Weft.Control.Ca;

/// <summary>SPIFFE identities of workloads: <c>spiffe://TRUST_DOMAIN/ns/NAMESPACE/sa/SERVICE_ACCOUNT</c>.</summary>
public static class SpiffeId
{
    /// <summary>A workload without a service account is the namespace's <c>default</c> one, as in Kubernetes.</summary>
    public static string Of(string trustDomain, string ns, string serviceAccount) =>
        $"spiffe://{trustDomain}/ns/{ns}/sa/{(serviceAccount.Length > 0 ? serviceAccount : "default")}";
}
