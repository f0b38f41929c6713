namespace Weft.Api.Model;

/// <summary>
/// The Kubernetes kinds that share files with Istio config. They have no CRD schema here, so they are decoded
/// leniently: fields Weft does not model are ignored rather than rejected.
/// </summary>
public static class KubernetesKinds
{
    public static IReadOnlyList<ResourceKind> All { get; } =
    [
        Core("Namespace", "namespaces", namespaced: false, Kubernetes.NamespaceSpec.Decode),
        Core("Service", "services", namespaced: true, Kubernetes.ServiceSpec.Decode),
        Core("Pod", "pods", namespaced: true, Kubernetes.PodSpec.Decode),
        Core("ConfigMap", "configmaps", namespaced: true, Kubernetes.ConfigMapData.Decode) with { DecodesWholeObject = true },
        Core("Secret", "secrets", namespaced: true, Kubernetes.SecretData.Decode) with { DecodesWholeObject = true },
        Core("ServiceAccount", "serviceaccounts", namespaced: true, null),
        Core("Endpoints", "endpoints", namespaced: true, null),
        Core("List", "lists", namespaced: false, null),
        new ResourceKind("apps", "Deployment", "deployments", true, [new ResourceVersion("v1", true, true, null)], Kubernetes.DeploymentSpec.Decode),
        new ResourceKind("discovery.k8s.io", "EndpointSlice", "endpointslices", true, [new ResourceVersion("v1", true, true, null)], Kubernetes.EndpointSliceData.Decode, DecodesWholeObject: true),
    ];

    private static ResourceKind Core(string kind, string plural, bool namespaced, Func<Documents.MapNode, object>? decode) =>
        new(string.Empty, kind, plural, namespaced, [new ResourceVersion("v1", true, true, null)], decode);
}
