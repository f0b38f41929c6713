using Google.Protobuf;

namespace Weft.Proxy.Xds;

/// <summary>
/// One resource the proxy accepted (and acknowledged): the message as received, what the compiler made of it, and the
/// response version and time it came with (a config dump shows both).
/// </summary>
internal sealed record AcceptedResource(string Name, IMessage Message, object Model, string Version, DateTimeOffset LastUpdated);
