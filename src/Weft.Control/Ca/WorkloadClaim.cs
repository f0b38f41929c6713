using System.Text.RegularExpressions;
using Google.Protobuf.WellKnownTypes;

namespace Weft.Control.Ca;

/// <summary>
/// Which workload a caller says it is, read from the request's metadata: <c>WorkloadName</c> with
/// <c>WorkloadNamespace</c>, or a node id <c>sidecar~IP~NAME.NAMESPACE~DOMAIN</c> in <c>NodeId</c> (or in
/// <c>WorkloadName</c>). Names must be Kubernetes names, so they are safe as path parts of the token directory.
/// </summary>
internal sealed partial record WorkloadClaim(string Name, string Namespace)
{
    public override string ToString() => $"{Namespace}/{Name}";

    /// <summary>The claim, or null with the reason in <paramref name="error"/>.</summary>
    public static WorkloadClaim? From(Struct? metadata, out string? error)
    {
        error = null;
        var fields = metadata?.Fields;
        string? Text(string key) => fields is not null && fields.TryGetValue(key, out var v) && v.KindCase == Value.KindOneofCase.StringValue && v.StringValue.Length > 0 ? v.StringValue : null;

        var nodeId = Text("NodeId");
        var name = Text("WorkloadName");
        var ns = Text("WorkloadNamespace");
        if (name is not null && name.Contains('~', StringComparison.Ordinal))
        {
            if (nodeId is not null && nodeId != name)
            {
                error = $"metadata NodeId \"{nodeId}\" and WorkloadName \"{name}\" name different proxies";
                return null;
            }

            (nodeId, name) = (name, null);
        }

        if (nodeId is not null)
        {
            var fromNode = FromNodeId(nodeId, out error);
            if (fromNode is null)
            {
                return null;
            }

            if ((name is not null && name != fromNode.Name) || (ns is not null && ns != fromNode.Namespace))
            {
                error = $"metadata WorkloadName/WorkloadNamespace ({ns ?? fromNode.Namespace}/{name ?? fromNode.Name}) disagree with NodeId \"{nodeId}\"";
                return null;
            }

            return fromNode;
        }

        if (name is null || ns is null)
        {
            error = "the request does not say which workload it is: set metadata WorkloadName and WorkloadNamespace (or NodeId sidecar~IP~NAME.NAMESPACE~DOMAIN) to a WorkloadEntry";
            return null;
        }

        return Checked(name, ns, $"WorkloadName \"{name}\" / WorkloadNamespace \"{ns}\"", out error);
    }

    private static WorkloadClaim? FromNodeId(string nodeId, out string? error)
    {
        var parts = nodeId.Split('~');
        if (parts.Length != 4 || parts[0] is not ("sidecar" or "router"))
        {
            error = $"NodeId \"{nodeId}\" is not sidecar~IP~NAME.NAMESPACE~DOMAIN";
            return null;
        }

        var dot = parts[2].IndexOf('.', StringComparison.Ordinal);
        var name = dot < 0 ? parts[2] : parts[2][..dot];
        var ns = dot < 0 ? parts[3].Split('.')[0] : parts[2][(dot + 1)..];
        return Checked(name, ns, $"NodeId \"{nodeId}\"", out error);
    }

    private static WorkloadClaim? Checked(string name, string ns, string source, out string? error)
    {
        error = !NamePattern().IsMatch(name) ? $"{source}: \"{name}\" is not a valid workload name"
            : !NamespacePattern().IsMatch(ns) ? $"{source}: \"{ns}\" is not a valid namespace"
            : null;
        return error is null ? new WorkloadClaim(name, ns) : null;
    }

    [GeneratedRegex("^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")]
    private static partial Regex NamePattern();

    [GeneratedRegex("^(?=.{1,63}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex NamespacePattern();
}
