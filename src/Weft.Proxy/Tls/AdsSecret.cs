namespace Weft.Proxy.Tls;

/// <summary>A secret a TLS context waits for from the control plane over ADS, and how long (zero: as long as it takes).</summary>
internal readonly record struct AdsSecret(string Name, TimeSpan InitialFetchTimeout);
