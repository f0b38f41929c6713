using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using Weft.Proxy.Xds;
using Weft.Xds.Envoy.Config.Core.V3;
using AppendAction = Weft.Xds.Envoy.Config.Core.V3.HeaderValueOption.Types.HeaderAppendAction;

namespace Weft.Proxy.Snapshot.Routes;

/// <summary>
/// One level's header edits (a weighted cluster, route, virtual host or route configuration): removals first, then
/// additions, each addition with Envoy's append action. Pseudo-headers and <c>host</c> cannot be edited (Envoy refuses
/// them); values are literal, with <c>%%</c> for a percent sign (Envoy's substitution commands are not supported yet,
/// and are refused rather than sent as text).
/// </summary>
internal sealed class HeaderMutation
{
    public static readonly HeaderMutation None = new([], []);

    private readonly string[] _remove;
    private readonly Addition[] _add;

    private HeaderMutation(string[] remove, Addition[] add)
    {
        _remove = remove;
        _add = add;
    }

    public bool IsEmpty => _remove.Length == 0 && _add.Length == 0;

    public static HeaderMutation Compile(IEnumerable<HeaderValueOption> add, IEnumerable<string> remove)
    {
        var removals = remove.Select(name => Editable(name.ToLowerInvariant())).ToArray();
        var additions = add.Select(Addition.Compile).OfType<Addition>().ToArray();
        return removals.Length == 0 && additions.Length == 0 ? None : new HeaderMutation(removals, additions);
    }

    public void Apply(IHeaderDictionary headers)
    {
        foreach (var name in _remove)
        {
            headers.Remove(name);
        }

        foreach (var addition in _add)
        {
            addition.Apply(headers);
        }
    }

    private static string Editable(string name)
    {
        if (name.Length == 0 || name[0] == ':' || name == "host")
        {
            throw new XdsRejectedException($"the header \"{name}\" cannot be added or removed (pseudo-headers and host are not editable)");
        }

        return name;
    }

    private sealed record Addition(string Name, string Value, AppendAction Action)
    {
        /// <summary>The addition; null for an empty value that is not kept (Envoy skips it).</summary>
        public static Addition? Compile(HeaderValueOption option)
        {
            var header = option.Header ?? throw new XdsRejectedException("a header to add has no header");
            var name = Editable(header.Key.ToLowerInvariant());
            var raw = header.Value.Length > 0 || header.RawValue.IsEmpty ? header.Value : header.RawValue.ToStringUtf8();
            var action = option.AppendAction;
            if (option.Append is { } append)
            {
                if (action != AppendAction.AppendIfExistsOrAdd)
                {
                    throw new XdsRejectedException($"the header \"{name}\" sets both append and append_action");
                }

                action = append ? AppendAction.AppendIfExistsOrAdd : AppendAction.OverwriteIfExistsOrAdd;
            }

            var value = Literal(name, raw);
            return value.Length == 0 && !option.KeepEmptyValue ? null : new Addition(name, value, action);
        }

        public void Apply(IHeaderDictionary headers)
        {
            switch (Action)
            {
                case AppendAction.AppendIfExistsOrAdd:
                    headers[Name] = StringValues.Concat(headers[Name], Value);
                    break;
                case AppendAction.AddIfAbsent when !headers.ContainsKey(Name):
                case AppendAction.OverwriteIfExistsOrAdd:
                case AppendAction.OverwriteIfExists when headers.ContainsKey(Name):
                    headers[Name] = Value;
                    break;
            }
        }

        private static string Literal(string name, string value)
        {
            if (!value.Contains('%', StringComparison.Ordinal))
            {
                return value;
            }

            var result = new StringBuilder(value.Length);
            for (var i = 0; i < value.Length; i++)
            {
                if (value[i] != '%')
                {
                    result.Append(value[i]);
                }
                else if (i + 1 < value.Length && value[i + 1] == '%')
                {
                    result.Append('%');
                    i++;
                }
                else
                {
                    throw new XdsRejectedException($"the value of header \"{name}\" uses a substitution command (\"{value}\"), which this proxy does not support yet; write %% for a percent sign");
                }
            }

            return result.ToString();
        }
    }
}
