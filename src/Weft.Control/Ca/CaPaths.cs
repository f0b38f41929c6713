namespace Weft.Control.Ca;

/// <summary>
/// Where the CA keeps its files under the state directory: <c>ca/root-cert.pem</c> and <c>ca/root-key.pem</c> (the
/// self-signed root), <c>ca/cacerts/</c> (Istio's plug-in CA files, unless another directory is given) and
/// <c>tokens/NAMESPACE/NAME</c> (per-workload bearer tokens, used with <c>--require-tokens</c>).
/// </summary>
public sealed record CaPaths
{
    public CaPaths(string stateDirectory, string? caCertsDirectory = null)
    {
        StateDirectory = Path.GetFullPath(stateDirectory);
        CaDirectory = Path.Combine(StateDirectory, "ca");
        CaCertsDirectory = caCertsDirectory is null ? Path.Combine(CaDirectory, "cacerts") : Path.GetFullPath(caCertsDirectory);
        CaCertsGiven = caCertsDirectory is not null;
        TokensDirectory = Path.Combine(StateDirectory, "tokens");
    }

    public string StateDirectory { get; }

    public string CaDirectory { get; }

    public string RootCert => Path.Combine(CaDirectory, "root-cert.pem");

    public string RootKey => Path.Combine(CaDirectory, "root-key.pem");

    public string CaCertsDirectory { get; }

    /// <summary>The plug-in directory was named explicitly (<c>--cacerts</c>): it must then hold a CA.</summary>
    public bool CaCertsGiven { get; }

    public string TokensDirectory { get; }
}
