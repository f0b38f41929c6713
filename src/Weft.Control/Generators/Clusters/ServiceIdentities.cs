using Weft.Control.Push;
using Weft.Control.Registry;

namespace Weft.Control.Generators.Clusters;

/// <summary>
/// The identities a service's servers may present, which Istio's mTLS clients check (push_context addServiceAccounts):
/// the SPIFFE id of every endpoint's service account plus the names the service declares (ServiceEntry
/// <c>subjectAltNames</c>), sorted. Trust-domain aliases are not modelled.
/// </summary>
internal static class ServiceIdentities
{
    public static IReadOnlyList<string> For(PushContext push, MeshService service) =>
        push.Cached((nameof(ServiceIdentities), service), () =>
        {
            var accounts = new SortedSet<string>(service.SubjectAltNames, StringComparer.Ordinal);
            foreach (var port in service.Ports)
            {
                foreach (var endpoint in push.Endpoints(service, port.Number))
                {
                    if (endpoint.Workload.ServiceAccount.Length > 0)
                    {
                        accounts.Add(Spiffe(push.Mesh.TrustDomain, endpoint.Workload.Namespace, endpoint.Workload.ServiceAccount));
                    }
                }
            }

            return (IReadOnlyList<string>)accounts.ToArray();
        });

    /// <summary><c>spiffe://TRUST_DOMAIN/ns/NAMESPACE/sa/ACCOUNT</c>.</summary>
    public static string Spiffe(string trustDomain, string ns, string serviceAccount) => $"spiffe://{trustDomain}/ns/{ns}/sa/{serviceAccount}";
}
