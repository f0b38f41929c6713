using System.Text;
using Weft.Api.Model.Extensions;
using Weft.Api.Validation.Rules;
using Weft.Api.GoCompat;

namespace Weft.Api.Validation.Security;

/// <summary>The checks WasmPlugin and TrafficExtension's Wasm config share: module URL, digest, names, VM env and match ports.</summary>
internal static class WasmRules
{
    /// <summary>
    /// The module URL must be set and parse as Go parses request URIs (a bare <c>host/path</c> is read as
    /// <c>http://host/path</c>), with scheme oci, file, http, https, or none.
    /// </summary>
    public static void ValidateUrl(ValidationContext context, string path, string? url)
    {
        if (string.IsNullOrEmpty(url))
        {
            context.Error(path, "url field needs to be set");
            return;
        }

        var parsed = GoUrl.ParseRequestUri(url, out var error);
        var candidate = url;
        if (parsed is null)
        {
            candidate = "http://" + url;
            parsed = GoUrl.ParseRequestUri(candidate, out _);
            if (parsed is null)
            {
                context.Error(path, "failed to parse url: " + error);
                return;
            }
        }

        if (GoUrl.Parse(candidate, out var strictError) is null)
        {
            context.Error(path, "failed to strict parse url: " + strictError);
            return;
        }

        if (parsed.Scheme is not ("" or "file" or "http" or "https" or "oci"))
        {
            context.Error(path, "url contains unsupported scheme: " + parsed.Scheme);
        }
    }

    public static void ValidateSha256(ValidationContext context, string path, string? sha256)
    {
        if (string.IsNullOrEmpty(sha256))
        {
            return;
        }

        if (Encoding.UTF8.GetByteCount(sha256) != 64)
        {
            context.Error(path, "sha256 field must be 64 characters long");
            return;
        }

        foreach (var c in sha256)
        {
            if (c is not ((>= 'a' and <= 'f') or (>= '0' and <= '9')))
            {
                context.Error(path, "sha256 field must match [a-f0-9]{64} pattern");
                return;
            }
        }
    }

    public static void ValidateImagePullSecret(ValidationContext context, string path, string? secret)
    {
        if (secret is not null && Encoding.UTF8.GetByteCount(secret) > 253)
        {
            context.Error(path, "imagePullSecret field must be less than 253 characters long");
        }
    }

    public static void ValidatePluginName(ValidationContext context, string path, string? name, string message)
    {
        if (name is not null && Encoding.UTF8.GetByteCount(name) > 256)
        {
            context.Error(path, message);
        }
    }

    /// <summary>The VM env: names set, short and unique; a value only with valueFrom INLINE. Istio stops at the first problem.</summary>
    public static void ValidateVmConfig(ValidationContext context, string path, VmConfig? vm)
    {
        if (vm?.Env is not { Count: > 0 } env)
        {
            return;
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < env.Count; i++)
        {
            var e = env[i];
            var envPath = $"{path}.env[{i}]";
            var name = e.Name ?? string.Empty;
            if (name.Length == 0)
            {
                context.Error(envPath + ".name", "spec.vmConfig.env invalid");
                return;
            }

            if (Encoding.UTF8.GetByteCount(name) > 256)
            {
                context.Error(envPath + ".name", "env.name field must be less than 255 characters long");
                return;
            }

            if (!names.Add(name))
            {
                context.Error(envPath + ".name", "duplicate env");
                return;
            }

            if (e.ValueFrom is { Length: > 0 } and not "INLINE" && !string.IsNullOrEmpty(e.Value))
            {
                context.Error(envPath + ".value", "value may only be set when valueFrom is INLINE");
                return;
            }
        }
    }

    /// <summary>Match ports must be 1..65535; Istio reports the first one that is not.</summary>
    public static void ValidateMatch(ValidationContext context, string path, IReadOnlyList<TrafficSelector>? match)
    {
        if (match is null)
        {
            return;
        }

        for (var i = 0; i < match.Count; i++)
        {
            if (match[i].Ports is not { } ports)
            {
                continue;
            }

            for (var j = 0; j < ports.Count; j++)
            {
                var number = ports[j].Number ?? 0;
                if (number is <= 0 or > 65535)
                {
                    context.Error($"{path}[{i}].ports[{j}].number", $"spec.Match[{i}].Ports[{j}] is out of range: {number}");
                    return;
                }
            }
        }
    }
}
