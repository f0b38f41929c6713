namespace Weft.Proxy.Telemetry.AccessLog;

/// <summary>Istio's mesh <c>accessLogEncoding</c>: one line of text per request, or one JSON object per line.</summary>
public enum AccessLogEncoding
{
    Text,
    Json,
}
