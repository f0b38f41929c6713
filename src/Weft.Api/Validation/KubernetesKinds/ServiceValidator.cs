using Weft.Api.Model.Kubernetes;
using Weft.Api.Validation.Rules;

namespace Weft.Api.Validation.KubernetesKinds;

/// <summary>
/// istioctl's check of Service ports: Istio picks a port's protocol from <c>appProtocol</c> or from the port name's
/// prefix (<c>http</c>, <c>http-web</c>, <c>grpc-api</c>...), so a TCP port needs one or the other. Services in the
/// root namespace are Istio's own and are not checked; UDP and SCTP ports are not subject to the convention.
/// </summary>
internal sealed class ServiceValidator : ISpecValidator
{
    public string Kind => "Service";

    public void Validate(ValidationContext context)
    {
        if (context.Resource.Namespace == context.RootNamespace || context.Resource.Spec is not ServiceSpec spec)
        {
            return;
        }

        for (var i = 0; i < spec.Ports.Count; i++)
        {
            var port = spec.Ports[i];
            var path = $"spec.ports[{i}]";
            if (port.Protocol is { } transport && !transport.Equals("TCP", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            if (!string.IsNullOrEmpty(port.AppProtocol))
            {
                if (!IsKnownAppProtocol(port.AppProtocol))
                {
                    if (string.IsNullOrEmpty(port.Name) || !NamesProtocol(port.Name))
                    {
                        context.Error(path + ".appProtocol", $"appProtocol \"{port.AppProtocol}\" is not a protocol Istio knows, and the port name does not name one either");
                    }
                }

                continue;
            }

            if (string.IsNullOrEmpty(port.Name))
            {
                context.Error(path + ".name", $"service \"{context.Resource.Name}\" has an unnamed port; name it after its protocol (e.g. \"http\", \"grpc-api\") or set appProtocol");
            }
            else if (!NamesProtocol(port.Name))
            {
                context.Error(path + ".name", $"port name \"{port.Name}\" does not start with a protocol Istio knows (\"<protocol>[-<suffix>]\", e.g. \"http-web\"); set appProtocol or rename it");
            }
        }
    }

    /// <summary>Kubernetes' own appProtocol values count as well as Istio's protocol names.</summary>
    private static bool IsKnownAppProtocol(string appProtocol) =>
        appProtocol is "kubernetes.io/h2c" or "kubernetes.io/ws" or "kubernetes.io/wss" || PortProtocols.Parse(appProtocol) != PortProtocol.Unsupported;

    /// <summary>"http" and "http-web" name HTTP: the protocol is the whole name or the part before the first dash.</summary>
    private static bool NamesProtocol(string portName)
    {
        if (PortProtocols.Parse(portName) != PortProtocol.Unsupported)
        {
            return true;
        }

        var dash = portName.IndexOf('-', StringComparison.Ordinal);
        return dash > 0 && PortProtocols.Parse(portName[..dash]) != PortProtocol.Unsupported;
    }
}
