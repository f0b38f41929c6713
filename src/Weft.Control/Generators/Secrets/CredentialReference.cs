namespace Weft.Control.Generators.Secrets;

/// <summary>
/// An SDS resource name that names a Kubernetes secret, taken apart as Istio reads it: <c>kubernetes://NAME</c> is the
/// secret NAME in the requesting proxy's namespace, <c>kubernetes://NAMESPACE/NAME</c> names the namespace; a name ending
/// in <c>-cacert</c> asks for the CA certificate only.
/// </summary>
internal readonly record struct CredentialReference(string ResourceName, string Namespace, string Name)
{
    private const string KubernetesScheme = "kubernetes://";

    /// <summary>Whether only the CA certificate is asked for (<c>NAME-cacert</c>).</summary>
    public bool CaOnly => Name.EndsWith(Weft.Xds.ResourceNames.CredentialCaSuffix, StringComparison.Ordinal);

    /// <summary>The reference a name makes for a proxy in <paramref name="proxyNamespace"/>; null for names of other kinds.</summary>
    public static CredentialReference? Parse(string resourceName, string proxyNamespace)
    {
        if (!resourceName.StartsWith(KubernetesScheme, StringComparison.Ordinal))
        {
            return null;
        }

        var parts = resourceName[KubernetesScheme.Length..].Split('/');
        var (ns, name) = parts.Length > 1 ? (parts[0], parts[1]) : (proxyNamespace, parts[0]);
        return ns.Length == 0 || name.Length == 0 ? null : new CredentialReference(resourceName, ns, name);
    }
}
