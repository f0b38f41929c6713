namespace Weft.Control.Generators.Clusters;

/// <summary>A server's mTLS mode as PeerAuthentication sets it; <see cref="Unknown"/> when no policy says.</summary>
internal enum MutualTlsMode
{
    Unknown,
    Disable,
    Permissive,
    Strict,
}
