namespace Weft.Proxy.Identity;

/// <summary>A TLS context names a secret the proxy does not have (yet); the connection that needed it fails with this reason.</summary>
internal sealed class SecretUnavailableException(string message) : Exception(message);
