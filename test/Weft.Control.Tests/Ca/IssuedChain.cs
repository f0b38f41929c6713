using System.Formats.Asn1;
using System.Security.Cryptography.X509Certificates;

namespace Weft.Control.Tests.Ca;

/// <summary>A CA response read as a workload would: one certificate per entry, leaf first, root last.</summary>
internal sealed class IssuedChain(IReadOnlyList<X509Certificate2> certificates)
{
    public static IssuedChain Of(IEnumerable<string> pems) => new(pems.Select(p => X509Certificate2.CreateFromPem(p)).ToArray());

    public IReadOnlyList<X509Certificate2> Certificates { get; } = certificates;

    public X509Certificate2 Leaf => Certificates[0];

    public X509Certificate2 Root => Certificates[^1];

    /// <summary>Builds the leaf's chain to <paramref name="trustedRoot"/> alone at <paramref name="at"/>; returns the statuses (none when valid).</summary>
    public IReadOnlyList<X509ChainStatusFlags> Validate(X509Certificate2 trustedRoot, DateTimeOffset at)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(trustedRoot);
        chain.ChainPolicy.ExtraStore.AddRange(Certificates.Skip(1).ToArray());
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationTime = at.UtcDateTime;
        return chain.Build(Leaf) ? [] : chain.ChainStatus.Select(s => s.Status).ToArray();
    }

    /// <summary>Every name in the leaf's subjectAltName as (GeneralName tag number, text).</summary>
    public IReadOnlyList<(int Tag, string Value)> LeafAltNames()
    {
        var extension = Leaf.Extensions["2.5.29.17"] ?? throw new InvalidOperationException("the leaf has no subjectAltName");
        var names = new AsnReader(extension.RawData, AsnEncodingRules.DER).ReadSequence();
        var result = new List<(int, string)>();
        while (names.HasData)
        {
            var tag = names.PeekTag();
            result.Add(tag.TagValue == 6
                ? (6, names.ReadCharacterString(UniversalTagNumber.IA5String, tag))
                : (tag.TagValue, Convert.ToHexString(names.ReadEncodedValue().Span)));
        }

        return result;
    }
}
