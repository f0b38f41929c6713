using Weft.Api.GoCompat;
using Weft.Api.Validation.Rules;

namespace Weft.Api.Validation.Traffic;

/// <summary>
/// Istio's check of the gateway names a VirtualService (or one of its matches) binds to (<c>validateGatewayNames</c>):
/// <c>namespace/name</c> with both parts DNS labels, or a bare name (the legacy <c>name.namespace</c> form is
/// accepted with a warning). Like Istio, the check stops after the first name without a '/'.
/// </summary>
internal static class GatewayReferences
{
    public const string MeshGateway = "mesh";

    public static void Validate(ValidationContext context, string path, IReadOnlyList<string>? names, bool gatewaySemantics)
    {
        if (names is null)
        {
            return;
        }

        for (var i = 0; i < names.Count; i++)
        {
            var name = names[i];
            var p = $"{path}[{i}]";
            var slash = name.IndexOf('/', StringComparison.Ordinal);
            if (slash < 0)
            {
                if (name.Contains('.', StringComparison.Ordinal))
                {
                    var parts = name.Split('.');
                    var recommended = $"{parts[1]}/{parts[0]}";
                    context.Warning(p, $"using legacy gatewayName format {GoStrconv.Quote(name)}; prefer the <namespace>/<name> format: {GoStrconv.Quote(recommended)}");
                }

                if (DnsNames.ValidateFqdn(name) is { } error)
                {
                    context.Error(p, error);
                }

                return;
            }

            var ns = name[..slash];
            var gateway = name[(slash + 1)..];
            if (ns.Length == 0 || gateway.Length == 0)
            {
                context.Error(p, "config namespace and gateway name cannot be empty");
            }

            if (!DnsNames.IsDns1123Label(ns))
            {
                context.Error(p, $"invalid value for namespace: {GoStrconv.Quote(ns)}");
            }

            if (!DnsNames.IsDns1123Label(gateway) && !gatewaySemantics)
            {
                context.Error(p, $"invalid value for gateway name: {GoStrconv.Quote(gateway)}");
            }
        }
    }
}
