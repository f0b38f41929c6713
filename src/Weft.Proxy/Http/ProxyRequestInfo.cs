namespace Weft.Proxy.Http;

/// <summary>What the proxy decided for a request, kept on the request for logs and (later) telemetry.</summary>
internal sealed class ProxyRequestInfo
{
    public string Listener { get; set; } = string.Empty;

    public string FilterChain { get; set; } = string.Empty;

    public string VirtualHost { get; set; } = string.Empty;

    public string Route { get; set; } = string.Empty;

    public string Cluster { get; set; } = string.Empty;

    public string UpstreamHost { get; set; } = string.Empty;

    /// <summary>
    /// Envoy's response flags for the outcome, comma-separated in the order they were set (as Envoy prints them); empty
    /// when the request was served normally.
    /// </summary>
    public string Flags { get; set; } = string.Empty;

    /// <summary>Adds a flag unless it is empty or already set (a delayed request that then fails carries both).</summary>
    public void AddFlag(string flag)
    {
        if (flag.Length == 0 || HasFlag(flag))
        {
            return;
        }

        Flags = Flags.Length == 0 ? flag : Flags + "," + flag;
    }

    public bool HasFlag(string flag)
    {
        foreach (var range in Flags.AsSpan().Split(','))
        {
            if (Flags.AsSpan()[range].SequenceEqual(flag))
            {
                return true;
            }
        }

        return false;
    }
}
