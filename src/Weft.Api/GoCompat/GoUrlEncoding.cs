namespace Weft.Api.GoCompat;

/// <summary>The URL components Go's net/url escapes differently.</summary>
internal enum GoUrlEncoding
{
    Path,
    PathSegment,
    Host,
    Zone,
    UserPassword,
    QueryComponent,
    Fragment,
}
