namespace Weft.Proxy.Upstream;

/// <summary>The endpoints of one locality at one priority, with the locality's weight (0 when none was set).</summary>
internal sealed record EndpointLocality(uint Weight, UpstreamEndpoint[] Endpoints);
