namespace Weft.Api.Schema.Cel;

internal enum CelComprehensionKind
{
    All,
    Exists,
    ExistsOne,
    Map,
    Filter,

    /// <summary>The three-argument <c>map(x, p, e)</c>: transform the elements that satisfy p.</summary>
    FilterMap,
}
