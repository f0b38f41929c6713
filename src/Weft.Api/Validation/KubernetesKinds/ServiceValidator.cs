using Weft.Api.Model.Kubernetes;

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
                if (PortProtocols.Parse(port.AppProtocol) is null)
                {
                    if (string.IsNullOrEmpty(port.Name) || PortProtocols.FromPortName(port.Name) is null)
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
            else if (PortProtocols.FromPortName(port.Name) is null)
            {
                context.Error(path + ".name", $"port name \"{port.Name}\" does not start with a protocol Istio knows (\"<protocol>[-<suffix>]\", e.g. \"http-web\"); set appProtocol or rename it");
            }
        }
    }
}
