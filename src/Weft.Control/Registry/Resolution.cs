namespace Weft.Control.Registry;

/// <summary>How a service's endpoints are found (ServiceEntry <c>resolution</c>).</summary>
public enum Resolution
{
    /// <summary>NONE: connect to the address the caller asked for (ORIGINAL_DST).</summary>
    Passthrough,

    /// <summary>STATIC: the registry's endpoints (EDS).</summary>
    Static,

    /// <summary>DNS: every address each endpoint host resolves to (STRICT_DNS).</summary>
    Dns,

    /// <summary>DNS_ROUND_ROBIN: the first address of a lookup, per connection (LOGICAL_DNS).</summary>
    DnsRoundRobin,
}
