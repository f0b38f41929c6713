using Weft.Api.Model.Networking;
using Weft.Api.Validation.Rules;

namespace Weft.Api.Validation.Workloads;

/// <summary>
/// Istio's <c>ValidateWorkloadGroup</c>: a template is required (but not checked as a WorkloadEntry, since Istio fills
/// in its address), the metadata labels must be valid, and the readiness probe must name one supported method.
/// </summary>
internal sealed class WorkloadGroupValidator : ISpecValidator
{
    public string Kind => "WorkloadGroup";

    public void Validate(ValidationContext context)
    {
        var group = context.Resource.Spec as WorkloadGroupSpec ?? new WorkloadGroupSpec();
        if (group.Template is null)
        {
            context.Error("spec.template", "template is required");
            return;
        }

        if (group.Metadata?.Labels is { Count: > 0 } labels)
        {
            var before = context.Findings.Count;
            LabelInstances.Validate(context, "spec.metadata.labels", labels, "invalid labels: ");
            if (context.Findings.Count != before)
            {
                // Istio stops at invalid labels.
                return;
            }
        }

        if (group.Probe is { } probe)
        {
            CheckProbe(context, probe, "spec.probe");
        }
    }

    private static void CheckProbe(ValidationContext context, ReadinessProbe probe, string at)
    {
        NonNegative(context, probe.PeriodSeconds, at + ".periodSeconds", "periodSeconds must be non-negative");
        NonNegative(context, probe.InitialDelaySeconds, at + ".initialDelaySeconds", "initialDelaySeconds must be non-negative");
        NonNegative(context, probe.TimeoutSeconds, at + ".timeoutSeconds", "timeoutSeconds must be non-negative");
        NonNegative(context, probe.SuccessThreshold, at + ".successThreshold", "successThreshold must be non-negative");
        NonNegative(context, probe.FailureThreshold, at + ".failureThreshold", "failureThreshold must be non-negative");

        if (probe.HttpGet is { } http)
        {
            if (Ports.Validate(http.Port ?? 0) is { } portError)
            {
                context.Error(at + ".httpGet.port", portError);
            }

            if (!string.IsNullOrEmpty(http.Scheme) && http.Scheme is not ("HTTP" or "HTTPS"))
            {
                context.Error(at + ".httpGet.scheme", "httpGet.scheme must be one of \"HTTPS\", \"HTTP\"");
            }

            var headers = http.HttpHeaders ?? [];
            for (var i = 0; i < headers.Count; i++)
            {
                if (ProbeHeaderError(headers[i].Name) is { } headerError)
                {
                    context.Error($"{at}.httpGet.httpHeaders[{i}].name", headerError);
                }
            }
        }
        else if (probe.TcpSocket is { } tcp)
        {
            if (Ports.Validate(tcp.Port ?? 0) is { } portError)
            {
                context.Error(at + ".tcpSocket.port", portError);
            }
        }
        else if (probe.Exec is { } exec)
        {
            if (exec.Command is not { Count: > 0 })
            {
                context.Error(at + ".exec.command", "exec.command is required");
            }
        }
        else if (probe.Grpc is not null)
        {
            // Istio's probe validation knows no gRPC method and rejects it.
            context.Error(at + ".grpc", "unknown health check method *v1alpha3.ReadinessProbe_Grpc");
        }
        else
        {
            context.Error(at, "unknown health check method <nil>");
        }
    }

    /// <summary>Istio's <c>ValidateProbeHeaderName</c>: letters, digits and '-' (as Kubernetes probes allow).</summary>
    private static string? ProbeHeaderError(string? name)
    {
        if (string.IsNullOrEmpty(name))
        {
            return "header name cannot be empty";
        }

        foreach (var c in name)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c != '-')
            {
                return $"header name {name} is not a valid header name";
            }
        }

        return null;
    }

    private static void NonNegative(ValidationContext context, long? value, string path, string message)
    {
        if (value < 0)
        {
            context.Error(path, message);
        }
    }
}
