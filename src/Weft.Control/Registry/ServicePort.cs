namespace Weft.Control.Registry;

/// <summary>A port of a service: name, number, protocol and (ServiceEntry) the target port on endpoints, 0 for the same number.</summary>
public sealed record ServicePort(string Name, int Number, Protocol Protocol, int TargetPort = 0);
