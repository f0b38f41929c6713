using Google.Protobuf;
using Weft.Api.Documents;
using Weft.Api.Loading;
using Weft.Api.Validation;
using Weft.Control.Config;
using Weft.Control.Generators.Authorization;
using Weft.Control.Model;
using Weft.Control.Push;
using Weft.Control.Registry;
using Weft.Control.Tests.Support;
using Weft.Xds.Envoy.Config.Listener.V3;
using Weft.Xds.Envoy.Extensions.Filters.Network.HttpConnectionManager.V3;
using Xunit.Abstractions;

namespace Weft.Control.Tests.Generators.Authorization;

/// <summary>
/// Istio's own AuthorizationPolicy translation goldens (the corpus' xds-golden/authz-rbac suite, 22 HTTP and 7 TCP
/// cases): each input is generated for the manifest's workload (namespace <c>foo</c>, <c>app=httpbin, version=v1</c>)
/// with the manifest's builder, extension providers and trust domains, and the filters must equal Istio's, compared as
/// protos (both sides parsed into Weft's Envoy messages and rendered canonically: field order and defaults do not
/// matter, list order does).
/// </summary>
public sealed class AuthzRbacConformanceTests(ITestOutputHelper output)
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

    public static TheoryData<string> Cases => AuthzGoldenCase.Ids();

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void Generates_the_filters_Istio_generates(string id)
    {
        var golden = AuthzGoldenCase.Get(id);
        var (expected, actual) = Compare(golden);

        // The typed configs are compared by content: the canonical form renders them (an unreadable one would throw).
        Assert.All(expected, e => Assert.Contains("\"@type\"", e, StringComparison.Ordinal));
        Assert.Equal(expected, actual);
    }

    [SkippableFact]
    public void Every_case_of_the_suite_passes_and_the_count_is_reported()
    {
        IstioCorpus.Require();
        var cases = AuthzGoldenCase.Load();
        var failing = cases.Where(c =>
        {
            var (expected, actual) = Compare(c);
            return !expected.SequenceEqual(actual);
        }).Select(c => c.Id).ToArray();
        output.WriteLine($"authz-rbac: {cases.Count - failing.Length}/{cases.Count} cases pass ({cases.Count(c => !c.Tcp)} HTTP, {cases.Count(c => c.Tcp)} TCP)");
        foreach (var id in failing)
        {
            output.WriteLine("failing: " + id);
        }

        Assert.Equal(29, cases.Count);
        Assert.Empty(failing);
    }

    private static (IReadOnlyList<string> Expected, IReadOnlyList<string> Actual) Compare(AuthzGoldenCase golden)
    {
        var push = Push(golden);
        var selected = push.AuthorizationPolicies.Select(AuthzGoldenCase.ProxyNamespace, AuthzGoldenCase.ProxyLabels);
        var mesh = golden.MeshConfig is null ? MeshConfig.Default : MeshConfigReader.Read(golden.MeshConfig, MeshConfig.Default);
        var trustDomains = golden.TrustDomain is { } td ? TrustDomainBundle.Of(td, golden.TrustDomainAliases) : TrustDomainBundle.Empty;
        var options = new AuthorizationOptions(trustDomains, ExtAuthzProviders.Resolve(mesh.ExtensionProviders, push));
        IEnumerable<IMessage> actual = golden.Tcp
            ? AuthorizationFilterBuilder.Tcp(selected, golden.Custom, options)
            : AuthorizationFilterBuilder.Http(selected, golden.Custom, options);
        IEnumerable<IMessage> expected = golden.ExpectedPaths.Select(p => golden.Tcp ? (IMessage)YamlProto.ReadFile<Filter>(p)! : YamlProto.ReadFile<HttpFilter>(p)!);
        return (expected.Select(YamlProto.Canonical).ToArray(), actual.Select(YamlProto.Canonical).ToArray());
    }

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
            foreach (var document in YamlReader.Read(text, file).Where(d => d.Root is MapNode))
            {
                var diagnostics = new List<Diagnostic>();
                var resource = ResourceDecoder.Decode((MapNode)document.Root!, diagnostics) ?? throw new InvalidOperationException(string.Join("; ", diagnostics));
                var key = new ConfigKey(resource.Kind, resource.Namespace, resource.Name);
                resources[key] = new StoredResource(key, resource, file, 1, key.ToString());
            }
        }

        var snapshot = new ConfigSnapshot(1, resources, []);
        return new PushContext(snapshot, LocalRegistry.Build(snapshot), MeshConfig.Default, 1, "authz");
    }
}
