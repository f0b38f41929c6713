using System.Text.RegularExpressions;

namespace Weft.Proxy.Snapshot.Routes;

/// <summary>A <c>redirect</c> action: the parts of the Location that change, and the status.</summary>
internal sealed class RedirectReply : RouteBehavior
{
    public int Status { get; init; } = 301;

    /// <summary>The scheme to send to; null keeps the request's.</summary>
    public string? Scheme { get; init; }

    /// <summary>The host to send to; empty keeps the request's.</summary>
    public string Host { get; init; } = string.Empty;

    /// <summary>The port to send to; zero keeps the request's (less a default port the new scheme implies).</summary>
    public uint Port { get; init; }

    /// <summary>A whole new path (it may carry its own query); null keeps the path.</summary>
    public string? Path { get; init; }

    public string? PrefixRewrite { get; init; }

    public (Regex Pattern, string Substitution)? RegexRewrite { get; init; }

    public bool StripQuery { get; init; }
}
