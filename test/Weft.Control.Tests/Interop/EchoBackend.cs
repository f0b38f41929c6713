using System.Text.Json.Nodes;

namespace Weft.Control.Tests.Interop;

/// <summary>One Echo backend for <see cref="EchoServers"/>: its name (what replies say), its port (0: the OS picks).</summary>
public sealed record EchoBackend(string Name, int Port = 0)
{
    public EchoBehaviour Behaviour { get; init; } = EchoBehaviour.Normal;

    internal JsonObject ToJson() => new()
    {
        ["name"] = Name,
        ["port"] = Port,
        ["behaviour"] = Behaviour.ToJson(),
    };
}
