using System.Security.Cryptography;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;

namespace Weft.Control.Generators;

/// <summary>
/// One generated resource: its name, the packed message, and a version that is a hash of its bytes, so that equal content
/// is never pushed twice and delta xDS can name versions. Only the packed bytes are held for sure: a push needs nothing
/// else, and a sidecar's configuration held twice (message graph and bytes) for every class of proxy is most of what a
/// control plane with many services keeps.
/// </summary>
public sealed class XdsResource
{
    private readonly MessageParser _parser;
    private readonly WeakReference<IMessage> _message;

    public XdsResource(string name, IMessage message)
    {
        Name = name;
        Any = Any.Pack(message);
        _parser = message.Descriptor.Parser;
        _message = new WeakReference<IMessage>(message);
        Version = Convert.ToHexString(SHA256.HashData(Any.Value.Span)[..12]);
    }

    public string Name { get; }

    public Any Any { get; }

    /// <summary>
    /// The message itself, for tests, config dumps and simulation: the one generated while it lives, else decoded again
    /// from the packed bytes. Treat it as read-only.
    /// </summary>
    public IMessage Message
    {
        get
        {
            if (_message.TryGetTarget(out var message))
            {
                return message;
            }

            message = _parser.ParseFrom(Any.Value);
            _message.SetTarget(message);
            return message;
        }
    }

    /// <summary>A content hash: equal for equal resources.</summary>
    public string Version { get; }

    public override string ToString() => $"{Name} ({Version})";
}
