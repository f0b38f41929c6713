namespace Weft.Proxy.Xds;

/// <summary>The last response of a type the proxy refused (NACKed): its version, why, and when.</summary>
internal sealed record XdsRejection(string Version, string Reason, DateTimeOffset At);
