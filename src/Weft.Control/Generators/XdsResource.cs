using System.Security.Cryptography;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;

namespace Weft.Control.Generators;

/// <summary>
/// One generated resource: its name, the packed message, and a version that is a hash of its bytes, so that equal content
/// is never pushed twice and delta xDS can name versions.
/// </summary>
public sealed class XdsResource
{
    public XdsResource(string name, IMessage message)
    {
        Name = name;
        Any = Any.Pack(message);
        Message = message;
        Version = Convert.ToHexString(SHA256.HashData(Any.Value.Span)[..12]);
    }

    public string Name { get; }

    public Any Any { get; }

    /// <summary>The message itself, for tests, config dumps and simulation.</summary>
    public IMessage Message { get; }

    /// <summary>A content hash: equal for equal resources.</summary>
    public string Version { get; }

    public override string ToString() => $"{Name} ({Version})";
}
