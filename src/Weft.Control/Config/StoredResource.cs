using Weft.Api.Model;

namespace Weft.Control.Config;

/// <summary>
/// A resource in force: the decoded resource, the file it came from, the store generation that admitted it and a hash of
/// its content (equal hashes mean the same resource, wherever it sits in its file).
/// </summary>
public sealed record StoredResource(ConfigKey Key, Resource Resource, string File, long Generation, string ContentHash)
{
    public T Spec<T>()
        where T : class => Resource.SpecAs<T>();
}
