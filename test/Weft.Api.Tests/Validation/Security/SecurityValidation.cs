using Weft.Api.Validation;

namespace Weft.Api.Tests.Validation.Security;

/// <summary>Assertions on one security, telemetry or extensions resource; running it is <see cref="SemanticValidation"/>'s.</summary>
internal static class SecurityValidation
{
    public static readonly string[] Kinds =
        ["AuthorizationPolicy", "PeerAuthentication", "RequestAuthentication", "Telemetry", "WasmPlugin", "TrafficExtension"];

    public static ValidationContext Run(string yaml) => SemanticValidation.Run(yaml);

    public static void AssertError(string yaml, string path, string message) => Run(yaml).Findings.AssertError(path, message);

    public static void AssertWarning(string yaml, string path, string message) => Run(yaml).Findings.AssertWarning(path, message);

    public static void AssertValid(string yaml) => Run(yaml).Findings.AssertNoErrors();

    public static void AssertClean(string yaml) => Run(yaml).Findings.AssertClean();
}
