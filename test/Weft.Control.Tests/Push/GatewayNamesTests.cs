using Weft.Control.Push;

namespace Weft.Control.Tests.Push;

/// <summary>Gateway references in VirtualServices, completed as Istio completes them.</summary>
public sealed class GatewayNamesTests
{
    [Theory]
    [InlineData("mesh", "mesh")]
    [InlineData("ingress", "web/ingress")]
    [InlineData("istio-system/ingress", "istio-system/ingress")]
    [InlineData("./ingress", "web/ingress")]
    [InlineData("ingress.istio-system.svc.cluster.local", "istio-system/ingress")]
    [InlineData("ingress.istio-system", "istio-system/ingress")]
    public void References_resolve_to_namespace_slash_name(string reference, string resolved)
    {
        Assert.Equal(resolved, GatewayNames.Resolve(reference, "web"));
    }
}
