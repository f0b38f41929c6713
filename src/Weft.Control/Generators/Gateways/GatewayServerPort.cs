namespace Weft.Control.Generators.Gateways;

/// <summary>A listening port of a gateway as Istio keys merged servers: number, protocol as written, bind.</summary>
internal readonly record struct GatewayServerPort(int Number, string Protocol, string Bind);
