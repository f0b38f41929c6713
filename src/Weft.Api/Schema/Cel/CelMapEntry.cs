namespace Weft.Api.Schema.Cel;

internal readonly record struct CelMapEntry(CelExpr Key, CelExpr Value);
