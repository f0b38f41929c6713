namespace Weft.Proxy;

/// <summary>
/// Weft's data plane. It learns its configuration only over xDS (Weft.Xds); it never references the control plane.
/// </summary>
internal static class ProxyAssembly
{
    /// <summary>Binds the xDS contract assembly so the reference the architecture promises is a real one.</summary>
    internal static readonly System.Reflection.Assembly Contract = typeof(global::Weft.Xds.XdsAssembly).Assembly;
}
