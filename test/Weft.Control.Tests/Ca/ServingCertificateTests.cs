using System.Net;
using System.Security.Cryptography.X509Certificates;
using Weft.Control.Ca;

namespace Weft.Control.Tests.Ca;

/// <summary>The secure port's own certificate: the names clients dial, signed by the CA, renewed before it runs out.</summary>
public sealed class ServingCertificateTests
{
    [Fact]
    public void It_names_istiod_localhost_loopback_and_the_listen_address_and_is_renewed_at_half_life()
    {
        using var state = new TempState();
        var clock = CaPlane.Clock();
        using var ca = CaStore.Open(new CaPaths(state.Path), "cluster.local", clock);
        var serving = new ServingCertificate(ca, IPAddress.Parse("127.0.0.5"), clock);

        var first = serving.Context.TargetCertificate;
        var names = first.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single();
        Assert.Equal(["istiod.istio-system.svc", "localhost"], names.EnumerateDnsNames());
        Assert.Equal([IPAddress.Loopback, IPAddress.Parse("127.0.0.5")], names.EnumerateIPAddresses());
        Assert.Equal(ca.Root.SubjectName.RawData, first.IssuerName.RawData);
        Assert.True(first.HasPrivateKey);

        clock.Advance(TimeSpan.FromHours(11));
        Assert.Equal(first.SerialNumber, serving.Context.TargetCertificate.SerialNumber);

        clock.Advance(TimeSpan.FromHours(1));
        var renewed = serving.Context.TargetCertificate;
        Assert.NotEqual(first.SerialNumber, renewed.SerialNumber);
        Assert.Equal(clock.GetUtcNow().UtcDateTime.AddMinutes(-2), renewed.NotBefore.ToUniversalTime());
    }

    [Fact]
    public void A_wildcard_listen_address_adds_no_address_of_its_own()
    {
        using var state = new TempState();
        using var ca = CaStore.Open(new CaPaths(state.Path), "cluster.local", TimeProvider.System);
        var serving = new ServingCertificate(ca, IPAddress.Any, TimeProvider.System);
        Assert.Equal([IPAddress.Loopback], serving.Certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single().EnumerateIPAddresses());
    }
}
