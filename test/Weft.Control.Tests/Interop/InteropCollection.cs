namespace Weft.Control.Tests.Interop;

/// <summary>Interop tests run one at a time: each starts node processes, and several at once starve a small machine.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class InteropCollection
{
    public const string Name = "interop";
}
