namespace Weft.Control.Ca;

/// <summary>SPIFFE identities of workloads: <c>spiffe://TRUST_DOMAIN/ns/NAMESPACE/sa/SERVICE_ACCOUNT</c>.</summary>
public static class SpiffeId
{
    /// <summary>A workload without a service account is the namespace's <c>default</c> one, as in Kubernetes.</summary>
    public static string Of(string trustDomain, string ns, string serviceAccount) =>
        $"spiffe://{trustDomain}/ns/{ns}/sa/{(serviceAccount.Length > 0 ? serviceAccount : "default")}";

    /// <summary>The namespace and service account of <c>spiffe://TRUST_DOMAIN/ns/NAMESPACE/sa/SERVICE_ACCOUNT</c>; false for anything else.</summary>
    public static bool TryParse(string id, out string ns, out string serviceAccount)
    {
        (ns, serviceAccount) = (string.Empty, string.Empty);
        if (!id.StartsWith("spiffe://", StringComparison.Ordinal) || id.Split('/') is not [_, _, _, "ns", var n, "sa", var sa] || n.Length == 0 || sa.Length == 0)
        {
            return false;
        }

        (ns, serviceAccount) = (n, sa);
        return true;
    }
}
