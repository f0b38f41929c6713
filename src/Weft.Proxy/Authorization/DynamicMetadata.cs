using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;

namespace Weft.Proxy.Authorization;

/// <summary>
/// A request's (or connection's) dynamic metadata, as Envoy's filters share it: per filter namespace, a Struct. RBAC
/// writes its shadow results here (<c>envoy.filters.http.rbac</c>), and ext_authz reads them to decide whether to run.
/// </summary>
/// <remarks>
/// JWT authentication (<see cref="Authentication.JwtAuthnFilter"/>) leaves a validated token's claims under
/// <see cref="JwtAuthnFilter"/>, key <c>payload</c> (Istio's <c>payload_in_metadata</c>), as Envoy's jwt_authn filter
/// does; the request principal, audiences, presenter and claims of AuthorizationPolicy are matched there. It runs before
/// RBAC, on <see cref="Http.ProxyRequestInfo.Metadata"/> of the request.
/// </remarks>
internal sealed class DynamicMetadata
{
    public const string JwtAuthnFilter = "envoy.filters.http.jwt_authn";
    public const string JwtPayloadKey = "payload";

    private Dictionary<string, Struct>? _namespaces;

    /// <summary>A filter's namespace; null when the filter wrote nothing.</summary>
    public Struct? Get(string filter) => _namespaces is not null && _namespaces.TryGetValue(filter, out var value) ? value : null;

    public void Set(string filter, string key, Value value)
    {
        _namespaces ??= new Dictionary<string, Struct>(StringComparer.Ordinal);
        if (!_namespaces.TryGetValue(filter, out var fields))
        {
            fields = new Struct();
            _namespaces[filter] = fields;
        }

        fields.Fields[key] = value;
    }

    /// <summary>The validated JWT's payload (its claims), where RBAC's request-principal and claim matchers look.</summary>
    public void SetJwtPayload(Struct payload) => Set(JwtAuthnFilter, JwtPayloadKey, Value.ForStruct(payload));

    /// <summary>Every namespace as JSON, in name order (logs, tests).</summary>
    public override string ToString() => _namespaces is null
        ? "{}"
        : "{" + string.Join(",", _namespaces.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"\"{kv.Key}\":{JsonFormatter.Default.Format(kv.Value)}")) + "}";

    /// <summary>The value at a path of keys in a filter's namespace; null when any step is missing or not a struct.</summary>
    public Value? Find(string filter, IReadOnlyList<string> path)
    {
        if (Get(filter) is not { } current)
        {
            return null;
        }

        Value? value = null;
        for (var i = 0; i < path.Count; i++)
        {
            if (!current.Fields.TryGetValue(path[i], out value))
            {
                return null;
            }

            if (i < path.Count - 1)
            {
                if (value.KindCase != Value.KindOneofCase.StructValue)
                {
                    return null;
                }

                current = value.StructValue;
            }
        }

        return value;
    }
}
