namespace Weft.Api.GoCompat;

/// <summary>fmt's <c>%v</c> of the values Istio's messages print that strconv does not cover.</summary>
internal static class GoFmt
{
    /// <summary>A string slice as <c>%v</c> prints it: <c>[a b c]</c>, and <c>[]</c> for nil.</summary>
    public static string List(IEnumerable<string>? values) => "[" + (values is null ? string.Empty : string.Join(' ', values)) + "]";
}
