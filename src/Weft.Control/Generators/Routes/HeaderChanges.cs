using Weft.Api.Model.Networking;
using Weft.Xds.Envoy.Config.Core.V3;

namespace Weft.Control.Generators.Routes;

/// <summary>
/// A VirtualService <c>headers</c> block as Envoy header edits. <c>set</c> overwrites, <c>add</c> appends; each group
/// sorted by name, <c>set</c> first. Pseudo-headers and <c>host</c> cannot be edited this way, so they are dropped,
/// and a <c>host</c> or <c>:authority</c> value becomes <see cref="Authority"/> (a host rewrite), <c>set</c> beating <c>add</c>.
/// </summary>
internal sealed record HeaderChanges(
    IReadOnlyList<HeaderValueOption> RequestToAdd,
    IReadOnlyList<string> RequestToRemove,
    IReadOnlyList<HeaderValueOption> ResponseToAdd,
    IReadOnlyList<string> ResponseToRemove,
    string Authority)
{
    public static HeaderChanges From(Headers headers)
    {
        var request = headers.Request;
        var response = headers.Response;
        var (requestSet, setAuthority) = Options(request?.Set, append: false);
        var (requestAdd, addAuthority) = Options(request?.Add, append: true);
        var (responseSet, _) = Options(response?.Set, append: false);
        var (responseAdd, _) = Options(response?.Add, append: true);
        return new HeaderChanges(
            [.. requestSet, .. requestAdd],
            Editable(request?.Remove),
            [.. responseSet, .. responseAdd],
            Editable(response?.Remove),
            setAuthority.Length > 0 ? setAuthority : addAuthority);
    }

    private static (List<HeaderValueOption> Options, string Authority) Options(IReadOnlyDictionary<string, string>? headers, bool append)
    {
        var options = new List<HeaderValueOption>();
        var authority = string.Empty;
        foreach (var (key, value) in (headers ?? new Dictionary<string, string>()).OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            if (IsAuthority(key))
            {
                authority = value;
            }

            if (IsInternal(key))
            {
                continue;
            }

            options.Add(new HeaderValueOption
            {
                Header = new HeaderValue { Key = key, Value = value },
                AppendAction = append
                    ? HeaderValueOption.Types.HeaderAppendAction.AppendIfExistsOrAdd
                    : HeaderValueOption.Types.HeaderAppendAction.OverwriteIfExistsOrAdd,
            });
        }

        return (options, authority);
    }

    private static string[] Editable(IReadOnlyList<string>? names) => (names ?? []).Where(n => !IsInternal(n)).ToArray();

    private static bool IsInternal(string key) => key.StartsWith(':') || key.Equals("host", StringComparison.OrdinalIgnoreCase);

    private static bool IsAuthority(string key) =>
        key.Equals(":authority", StringComparison.OrdinalIgnoreCase) || key.Equals("host", StringComparison.OrdinalIgnoreCase);
}
