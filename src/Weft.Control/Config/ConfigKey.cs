namespace Weft.Control.Config;

/// <summary>Identifies one resource across versions: kind, namespace and name (the group is implied by the kind).</summary>
public readonly record struct ConfigKey(string Kind, string Namespace, string Name)
{
    public override string ToString() => $"{Kind} {Namespace}/{Name}";
}
