using Google.Protobuf;

namespace Weft.Proxy.Xds;

/// <summary>What the xDS client hands resources to: a compiler that may refuse them, and the builder of the next snapshot.</summary>
internal interface IXdsConsumer
{
    /// <summary>
    /// Compiles one resource of a response into the form the request path uses; throws <see cref="XdsRejectedException"/>
    /// with a reason when it cannot, which makes the client NACK the whole response and keep what it had.
    /// </summary>
    object Compile(string typeUrl, IMessage resource);

    /// <summary>
    /// Called after every response, accepted or refused, with everything accepted so far and the last refusals; and again
    /// when an awaited secret's wait ends. Never called twice at once.
    /// </summary>
    void Updated(XdsConfig config);

    /// <summary>
    /// Of a response that compiled, the resources that still cannot be applied (a listener whose address cannot be bound),
    /// each with the reason: those are refused and NACKed, and the others apply, as Envoy's LDS does.
    /// </summary>
    IReadOnlyDictionary<string, string> Refuse(string typeUrl, IEnumerable<object> models) => System.Collections.Immutable.ImmutableDictionary<string, string>.Empty;

    /// <summary>The SDS secrets a compiled listener or cluster waits for from the control plane over ADS.</summary>
    IEnumerable<Tls.AdsSecret> SecretsNamedBy(object model) => [];
}
