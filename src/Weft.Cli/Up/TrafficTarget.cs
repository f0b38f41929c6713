namespace Weft.Cli.Up;

/// <summary>A service port <c>weft up</c> sends traffic to, reached through the proxy with <c>Host: HOST:PORT</c>.</summary>
internal sealed record TrafficTarget(string Host, int Port, string VirtualService, string File)
{
    public string Authority => $"{Host}:{Port}";
}
