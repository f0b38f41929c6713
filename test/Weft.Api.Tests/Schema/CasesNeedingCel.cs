namespace Weft.Api.Tests.Schema;

/// <summary>
/// THE list of crd-schema corpus documents whose expected error comes from an x-kubernetes-validations (CEL)
/// rule of the CRD. <see cref="CrdSchemaCorpusTests"/> passes no CEL evaluator yet, so these are skipped with
/// the reason "needs CEL evaluator". Once the evaluator is wired in there, delete the entries it satisfies.
/// </summary>
internal static class CasesNeedingCel
{
    /// <summary>Case id (file#index) and the rule that must reject it, named by (part of) its CRD message.</summary>
    public static readonly IReadOnlyDictionary<string, CelExpectation> Ids = new Dictionary<string, CelExpectation>(StringComparer.Ordinal)
    {
        ["invalid/crd-schema/authz-invalid.yaml#0"] = new("Cannot set serviceAccounts with namespaces or principals"),
        ["invalid/crd-schema/authz-invalid.yaml#1"] = new("Cannot set serviceAccounts with namespaces or principals"),
        ["invalid/crd-schema/envoyfilter-invalid.yaml#0"] = new("only support waypointMatch when context is WAYPOINT"),
        ["invalid/crd-schema/envoyfilter-invalid.yaml#1"] = new("only support waypointMatch when context is WAYPOINT"),
        ["invalid/crd-schema/envoyfilter-invalid.yaml#2"] = new("port must be between 1-65535"),
        ["invalid/crd-schema/peerauth-invalid.yaml#1"] = new("port must be between 1-65535", RuntimeError: "type conversion error from 'string' to 'int'"),
        ["invalid/crd-schema/peerauth-invalid.yaml#2"] = new("portLevelMtls requires selector"),
        ["invalid/crd-schema/peerauth-invalid.yaml#4"] = new("port must be between 1-65535"),
        ["invalid/crd-schema/peerauth-invalid.yaml#5"] = new("port must be between 1-65535"),
        ["invalid/crd-schema/proxyconfig-invalid.yaml#1"] = new("key must not be empty"),
        ["invalid/crd-schema/reqauth-invalid.yaml#0"] = new("only one of targetRefs or selector can be set"),
        ["invalid/crd-schema/reqauth-invalid.yaml#1"] = new("only one of targetRefs or selector can be set"),
        ["invalid/crd-schema/reqauth-invalid.yaml#3"] = new("cross namespace referencing is not currently supported"),
        ["invalid/crd-schema/reqauth-invalid.yaml#8"] = new("url must have scheme"),
        ["invalid/crd-schema/reqauth-invalid.yaml#17"] = new("must be a valid duration greater than"),
        ["invalid/crd-schema/serviceentry-invalid.yaml#2"] = new("wildcard is not supported in selector"),
        ["invalid/crd-schema/serviceentry-invalid.yaml#3"] = new("only one of WorkloadSelector or Endpoints can be set"),
        ["invalid/crd-schema/serviceentry-invalid.yaml#4"] = new("hostname cannot be wildcard"),
        ["invalid/crd-schema/serviceentry-invalid.yaml#5"] = new("CIDR addresses are allowed only for NONE/STATIC resolution types"),
        ["invalid/crd-schema/serviceentry-invalid.yaml#7"] = new("port number cannot be duplicated"),
        ["invalid/crd-schema/serviceentry-invalid.yaml#8"] = new("port must be between 1-65535"),
        ["invalid/crd-schema/serviceentry-invalid.yaml#9"] = new("port must be between 1-65535"),
        ["invalid/crd-schema/serviceentry-invalid.yaml#10"] = new("NONE mode cannot set endpoints"),
        ["invalid/crd-schema/serviceentry-invalid.yaml#11"] = new("DNS_ROUND_ROBIN mode cannot have multiple endpoints"),
        ["invalid/crd-schema/telemetry-invalid.yaml#2"] = new("value must be set when operation is UPSERT"),
        ["invalid/crd-schema/telemetry-invalid.yaml#3"] = new("value must not be set when operation is REMOVE"),
        ["invalid/crd-schema/wasm-invalid.yaml#2"] = new("url must have schema one of"),
        ["invalid/crd-schema/wasm-invalid.yaml#3"] = new("url must have schema one of"),
        ["invalid/crd-schema/wasm-invalid.yaml#9"] = new("value may only be set when valueFrom is INLINE"),
        ["invalid/crd-schema/wasm-invalid.yaml#10"] = new("value may only be set when valueFrom is INLINE"),
        ["invalid/crd-schema/wasm-invalid.yaml#13"] = new("wildcard not allowed in label value match"),
        ["invalid/crd-schema/wasm-invalid.yaml#14"] = new("wildcard not allowed in label key match"),
        ["invalid/crd-schema/workloadentry-invalid.yaml#1"] = new("Address is required"),
        ["invalid/crd-schema/workloadentry-invalid.yaml#2"] = new("UDS may not be a dir"),
        ["invalid/crd-schema/workloadentry-invalid.yaml#3"] = new("UDS must be an absolute path or abstract socket"),
        ["invalid/crd-schema/workloadentry-invalid.yaml#4"] = new("UDS may not include ports"),
        ["invalid/crd-schema/workloadentry-invalid.yaml#5"] = new("port must be between 1-65535"),
        ["invalid/crd-schema/workloadentry-invalid.yaml#6"] = new("port name must be valid"),
        ["invalid/crd-schema/workloadgroup-invalid.yaml#1"] = new("port must be between 1-65535"),
    };
}

/// <summary>
/// The CRD rule (by its message) that rejects a corpus document, and the runtime error CEL raises instead of
/// failing the rule, when that is how the document is rejected (int("acd") cannot convert).
/// </summary>
internal sealed record CelExpectation(string RuleMessage, string? RuntimeError = null)
{
    public override string ToString() => RuntimeError is null ? $"rule \"{RuleMessage}\"" : $"rule \"{RuleMessage}\" raising \"{RuntimeError}\"";
}
