using Google.Protobuf;
using Weft.Api.Documents;
using Weft.Api.Loading;
using Weft.Api.Validation;
using Weft.Control.Config;
using Weft.Control.Generators.Authorization;
using Weft.Control.Model;
using Weft.Control.Push;
using Weft.Control.Registry;
using Weft.Xds.Envoy.Config.Listener.V3;
using Weft.Xds.Envoy.Extensions.Filters.Network.HttpConnectionManager.V3;

namespace Weft.Control.Tests.Support;

/// <summary>
/// Both sides of an authz-rbac golden case: the filters Weft's control plane generates for the case's workload with the
/// manifest's setup, and Istio's expected filters read from the corpus. (Also compiled into Weft.Proxy.Tests, whose
/// behaviour tests evaluate both.)
/// </summary>
internal static class AuthzGoldenGeneration
{
    /// <summary>The service the manifest's extension providers point at.</summary>
    private const string ExtAuthzService = """
        apiVersion: networking.istio.io/v1
        kind: ServiceEntry
        metadata: {name: my-custom-ext-authz, namespace: foo}
        spec:
          hosts: [my-custom-ext-authz.foo.svc.cluster.local]
          location: MESH_INTERNAL
          resolution: STATIC
          ports: [{number: 9000, name: grpc, protocol: GRPC}]
        """;

    /// <summary>The generated filters: HttpFilter for HTTP cases, listener Filter for TCP cases, in order.</summary>
    public static IReadOnlyList<IMessage> Generate(AuthzGoldenCase golden)
    {
        var push = Push(golden);
        var selected = push.AuthorizationPolicies.Select(AuthzGoldenCase.ProxyNamespace, AuthzGoldenCase.ProxyLabels);
        var mesh = golden.MeshConfig is null ? MeshConfig.Default : MeshConfigReader.Read(golden.MeshConfig, MeshConfig.Default);
        var trustDomains = golden.TrustDomain is { } td ? TrustDomainBundle.Of(td, golden.TrustDomainAliases) : TrustDomainBundle.Empty;
        var options = new AuthorizationOptions(trustDomains, ExtAuthzProviders.Resolve(mesh.ExtensionProviders, push));
        return golden.Tcp
            ? AuthorizationFilterBuilder.Tcp(selected, golden.Custom, options)
            : AuthorizationFilterBuilder.Http(selected, golden.Custom, options);
    }

    /// <summary>Istio's filters for the case, read into Weft's Envoy messages.</summary>
    public static IReadOnlyList<IMessage> Expected(AuthzGoldenCase golden) =>
        golden.ExpectedPaths.Select(p => golden.Tcp ? (IMessage)YamlProto.ReadFile<Filter>(p)! : YamlProto.ReadFile<HttpFilter>(p)!).ToArray();

    /// <summary>The case's AuthorizationPolicies as Weft decodes them (for tests that probe what they say).</summary>
    public static IReadOnlyList<Weft.Api.Model.Resource> Policies(AuthzGoldenCase golden) =>
        Decode(File.ReadAllText(golden.InputPath), golden.InputPath).Where(r => r.Kind == "AuthorizationPolicy").ToArray();

    /// <summary>
    /// The input's policies and the provider's service as the resources in force. The policies are decoded without
    /// Weft's validation, as Istio's builder test feeds them straight to the builder (some use values only the builder
    /// sees, such as a lone <c>*</c> everywhere).
    /// </summary>
    private static PushContext Push(AuthzGoldenCase golden)
    {
        var resources = new Dictionary<ConfigKey, StoredResource>();
        foreach (var (text, file) in new[] { (File.ReadAllText(golden.InputPath), golden.InputPath), (ExtAuthzService, "ext-authz-service.yaml") })
        {
            foreach (var resource in Decode(text, file))
            {
                var key = new ConfigKey(resource.Kind, resource.Namespace, resource.Name);
                resources[key] = new StoredResource(key, resource, file, 1, key.ToString());
            }
        }

        var snapshot = new ConfigSnapshot(1, resources, []);
        return new PushContext(snapshot, LocalRegistry.Build(snapshot), MeshConfig.Default, 1, "authz");
    }

    private static IEnumerable<Weft.Api.Model.Resource> Decode(string text, string file)
    {
        foreach (var document in YamlReader.Read(text, file).Where(d => d.Root is MapNode))
        {
            var diagnostics = new List<Diagnostic>();
            yield return ResourceDecoder.Decode((MapNode)document.Root!, diagnostics) ?? throw new InvalidOperationException(string.Join("; ", diagnostics));
        }
    }
}
