namespace Weft.Control.Ca;

/// <summary>Opens the CA of a state directory: the plug-in CA when its files are there, else the self-signed root.</summary>
public static class CaStore
{
    public static CertificateAuthority Open(CaPaths paths, string trustDomain, TimeProvider time)
    {
        var now = time.GetUtcNow();
        return PluggedCa.Load(paths, now) ?? SelfSignedRoot.LoadOrCreate(paths, trustDomain, now);
    }
}
