using Weft.Api.Model.Extensions;

namespace Weft.Api.Validation.Security;

/// <summary>Istio's semantic rules for WasmPlugin (extensions.istio.io).</summary>
internal sealed class WasmPluginValidator : ISpecValidator
{
    public string Kind => "WasmPlugin";

    public void Validate(ValidationContext context)
    {
        var spec = context.Resource.Spec as WasmPluginSpec ?? new WasmPluginSpec();
        SelectorRules.ValidateAttachment(context, spec.Selector, spec.TargetRef, spec.TargetRefs);

        WasmRules.ValidateUrl(context, "spec.url", spec.Url);
        WasmRules.ValidateSha256(context, "spec.sha256", spec.Sha256);
        WasmRules.ValidateImagePullSecret(context, "spec.imagePullSecret", spec.ImagePullSecret);
        WasmRules.ValidatePluginName(context, "spec.pluginName", spec.PluginName, "pluginName field must be less than 255 characters long");
        WasmRules.ValidateVmConfig(context, "spec.vmConfig", spec.VmConfig);
        WasmRules.ValidateMatch(context, "spec.match", spec.Match);
    }
}
