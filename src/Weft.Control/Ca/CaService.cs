using Grpc.Core;
using Weft.Xds.Istio.Security.V1Alpha1;

namespace Weft.Control.Ca;

/// <summary>The gRPC face of <see cref="CaServer"/>: Istio's <c>istio.v1.auth.IstioCertificateService</c>. Served over TLS only.</summary>
internal sealed class CaService(CaServer server) : IstioCertificateService.IstioCertificateServiceBase
{
    public override Task<IstioCertificateResponse> CreateCertificate(IstioCertificateRequest request, ServerCallContext context)
    {
        var result = server.Handle(request, context.RequestHeaders.GetValue("authorization"), context.Peer);
        if (result.Chain is null)
        {
            throw new RpcException(new Status(result.Status, result.Reason));
        }

        var response = new IstioCertificateResponse();
        response.CertChain.AddRange(result.Chain);
        return Task.FromResult(response);
    }
}
