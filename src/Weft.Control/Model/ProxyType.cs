namespace Weft.Control.Model;

/// <summary>The first part of an Istio node id.</summary>
public enum ProxyType
{
    Sidecar,
    Router,
}
