using Grpc.Core;

namespace Weft.Control.Ca;

/// <summary>The outcome of one certificate request: the chain, or the status and reason it was refused with.</summary>
internal sealed record CaResult(IReadOnlyList<string>? Chain, StatusCode Status, string Reason)
{
    public static CaResult Issued(IReadOnlyList<string> chain) => new(chain, StatusCode.OK, string.Empty);

    public static CaResult Refused(StatusCode status, string reason) => new(null, status, reason);
}
