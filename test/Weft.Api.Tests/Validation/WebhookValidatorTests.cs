using Weft.Api.Documents;
using Weft.Api.Loading;
using Weft.Api.Model;
using Weft.Api.Validation;

namespace Weft.Api.Tests.Validation;

/// <summary>Istio's webhook checks every Istio kind's metadata first, and checks nothing else of a resource it rejects.</summary>
public sealed class WebhookValidatorTests
{
    public static TheoryData<string> IstioKinds()
    {
        var kinds = new TheoryData<string>();
        foreach (var kind in KindRegistry.All.Where(k => k.Group.EndsWith("istio.io", StringComparison.Ordinal)).OrderBy(k => k.Kind, StringComparer.Ordinal))
        {
            if (SpecValidators.For(kind.Kind) is not null)
            {
                kinds.Add(kind.Kind);
            }
        }

        return kinds;
    }

    [Fact]
    public void Every_istio_kind_with_rules_is_covered() => Assert.Equal(15, IstioKinds().Count);

    [Theory]
    [MemberData(nameof(IstioKinds))]
    public void An_internal_annotation_rejects_the_resource_before_its_spec_is_checked(string kind)
    {
        // An empty spec: most kinds would otherwise report something about it.
        var findings = Run(kind, "internal.istio.io/webhook-always-reject: x", "{}");
        Assert.Equal(
            [(Severity.Error, "metadata.annotations[internal.istio.io/webhook-always-reject]", "\"internal.istio.io/webhook-always-reject\" annotation found, rejecting")],
            findings);
    }

    [Theory]
    [MemberData(nameof(IstioKinds))]
    public void Dry_run_is_for_authorization_policies_only(string kind)
    {
        var findings = Run(kind, "istio.io/dry-run: 'true'", "{action: DENY, rules: [{}]}");
        if (kind == "AuthorizationPolicy")
        {
            Assert.DoesNotContain(findings, f => f.Path.StartsWith("metadata", StringComparison.Ordinal));
        }
        else
        {
            Assert.Equal([(Severity.Error, "metadata.annotations[istio.io/dry-run]", $"ns/r has unsupported annotation istio.io/dry-run, please remove the annotation")], findings);
        }
    }

    [Fact]
    public void The_first_rejection_is_the_only_one()
    {
        var findings = Run("Telemetry", "istio.io/dry-run: 'true'\n    internal.istio.io/parents: x", "{}");
        Assert.Equal("metadata.annotations[istio.io/dry-run]", Assert.Single(findings).Path);
    }

    [Fact]
    public void Kubernetes_services_have_no_webhook_metadata_check()
    {
        var yaml = "apiVersion: v1\nkind: Service\nmetadata:\n  name: r\n  namespace: ns\n  annotations:\n    istio.io/dry-run: 'true'\nspec:\n  ports:\n  - port: 80\n    name: http\n";
        Assert.Empty(Validate(yaml));
    }

    private static IReadOnlyList<(Severity Severity, string Path, string Message)> Run(string kind, string annotations, string spec)
    {
        var resourceKind = KindRegistry.All.Single(k => k.Kind == kind);
        var yaml = $"apiVersion: {resourceKind.Group}/{resourceKind.StorageVersion}\nkind: {kind}\nmetadata:\n  name: r\n  namespace: ns\n  annotations:\n    {annotations}\nspec: {spec}\n";
        return Validate(yaml);
    }

    private static IReadOnlyList<(Severity Severity, string Path, string Message)> Validate(string yaml)
    {
        var root = (MapNode)YamlReader.Read(yaml, "t.yaml").Single().Root!;
        var resource = ResourceDecoder.Decode(root, new List<Diagnostic>())!;
        var context = new ValidationContext(resource);
        SpecValidators.For(resource.Kind)!.Validate(context);
        return context.Findings;
    }
}
