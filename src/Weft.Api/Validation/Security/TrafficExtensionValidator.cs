using System.Text;
using Weft.Api.Model.Extensions;

namespace Weft.Api.Validation.Security;

/// <summary>
/// Istio's semantic rules for TrafficExtension (extensions.istio.io): exactly one of a Wasm or a Lua filter, the
/// Wasm checks WasmPlugin has, inline Lua present and at most 64 KiB, and the selector/targetRefs rules.
/// </summary>
internal sealed class TrafficExtensionValidator : ISpecValidator
{
    private const int MaxLuaBytes = 65536;

    public string Kind => "TrafficExtension";

    public void Validate(ValidationContext context)
    {
        var spec = context.Resource.Spec as TrafficExtensionSpec ?? new TrafficExtensionSpec();
        if ((spec.Wasm is null) == (spec.Lua is null))
        {
            context.Error("spec", "exactly one of wasm or lua must be set");
        }

        SelectorRules.ValidateAttachment(context, spec.Selector, targetRef: null, spec.TargetRefs);

        if (spec.Lua is { } lua)
        {
            var code = lua.InlineCode ?? string.Empty;
            if (code.Length == 0)
            {
                context.Error("spec.lua.inlineCode", "lua.inlineCode cannot be empty");
            }
            else if (Encoding.UTF8.GetByteCount(code) > MaxLuaBytes)
            {
                context.Error("spec.lua.inlineCode", "lua.inlineCode exceeds maximum size of 64KB");
            }
        }

        if (spec.Wasm is { } wasm)
        {
            WasmRules.ValidateUrl(context, "spec.wasm.url", wasm.Url);
            WasmRules.ValidateSha256(context, "spec.wasm.sha256", wasm.Sha256);
            WasmRules.ValidateImagePullSecret(context, "spec.wasm.imagePullSecret", wasm.ImagePullSecret);
            WasmRules.ValidatePluginName(context, "spec.wasm.pluginName", wasm.PluginName, "pluginName field must be less than 256 characters long");
            WasmRules.ValidateVmConfig(context, "spec.wasm.vmConfig", wasm.VmConfig);
        }

        WasmRules.ValidateMatch(context, "spec.match", spec.Match);
    }
}
