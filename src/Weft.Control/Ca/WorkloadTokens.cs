using System.Security.Cryptography;
using System.Text;

namespace Weft.Control.Ca;

/// <summary>
/// <c>--require-tokens</c>: a caller must present <c>authorization: Bearer TOKEN</c> where TOKEN equals the contents of
/// <c>STATE_DIR/tokens/NAMESPACE/NAME</c> (surrounding whitespace ignored), a file the operator writes for each workload.
/// The file is read on every request, so tokens can be added or changed without a restart.
/// </summary>
internal sealed class WorkloadTokens(string directory)
{
    public string Directory { get; } = directory;

    public string PathOf(WorkloadClaim claim) => Path.Combine(Directory, claim.Namespace, claim.Name);

    /// <summary>Null when the caller presented the workload's token; otherwise what is wrong.</summary>
    public string? Check(WorkloadClaim claim, string? authorization)
    {
        const string Scheme = "Bearer ";
        if (authorization is null || !authorization.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase) || authorization.Length == Scheme.Length)
        {
            return $"no bearer token: this control plane requires tokens, send \"authorization: Bearer TOKEN\" with the token of workload {claim}";
        }

        string expected;
        try
        {
            expected = File.ReadAllText(PathOf(claim)).Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"no token is registered for workload {claim}";
        }

        var presented = authorization[Scheme.Length..].Trim();
        return expected.Length > 0 && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(presented), Encoding.UTF8.GetBytes(expected))
            ? null
            : $"the bearer token is not the token of workload {claim}";
    }
}
