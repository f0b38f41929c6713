using Weft.Api.GoCompat;

namespace Weft.Api.Schema.Cel;

/// <summary>A value of the Kubernetes URL library, produced by <c>url(string)</c>.</summary>
internal sealed class CelUrl(GoUrl url, string text) : CelValue
{
    public GoUrl Url { get; } = url;

    /// <summary>The string the URL was parsed from; URLs compare equal when these are equal.</summary>
    public string Text { get; } = text;

    public override CelType Type => CelType.Url;

    public override string ToString() => Text;
}
