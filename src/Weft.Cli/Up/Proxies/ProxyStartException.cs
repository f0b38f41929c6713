namespace Weft.Cli.Up.Proxies;

/// <summary>A proxy could not be started; the message is a sentence for the user.</summary>
internal sealed class ProxyStartException(string message) : Exception(message);
