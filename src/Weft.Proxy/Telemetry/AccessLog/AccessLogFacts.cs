using Weft.Proxy.Telemetry.Expressions;

namespace Weft.Proxy.Telemetry.AccessLog;

/// <summary>
/// What an access log filter decides on, for one request or connection: its response flags (comma-separated, empty for
/// none), its response code (0 when none was sent) and, only when some filter runs an expression, its attributes.
/// </summary>
internal readonly record struct AccessLogFacts(string Flags, int ResponseCode, ICelActivation? Attributes = null);
