using Weft.Api.Model.Networking;
using Weft.Api.Validation.Rules;

namespace Weft.Api.Validation.Traffic;

/// <summary>Istio's semantic rules for DestinationRule (<c>ValidateDestinationRule</c>).</summary>
internal sealed class DestinationRuleValidator : ISpecValidator
{
    public string Kind => "DestinationRule";

    public void Validate(ValidationContext context)
    {
        var resource = context.Resource;
        var spec = resource.Spec as DestinationRuleSpec ?? new DestinationRuleSpec();
        var configNamespace = context.ConfigNamespace;

        if (DnsNames.ValidateWildcardDomain(spec.Host ?? string.Empty) is { } hostError)
        {
            context.Error("spec.host", hostError);
        }

        TrafficPolicyRules.Validate(context, "spec.trafficPolicy", configNamespace, spec.TrafficPolicy);

        if (spec.Subsets is { } subsets)
        {
            var names = new HashSet<string>(StringComparer.Ordinal);
            for (var i = 0; i < subsets.Count; i++)
            {
                var subset = subsets[i];
                var p = $"spec.subsets[{i}]";
                var name = subset.Name ?? string.Empty;
                if (!names.Add(name))
                {
                    context.Error(p + ".name", $"duplicate subset names: {name}");
                }

                if (Destinations.ValidateSubsetName(name) is { } nameError)
                {
                    context.Error(p + ".name", nameError);
                }

                LabelInstances.Validate(context, p + ".labels", subset.Labels);
                TrafficPolicyRules.Validate(context, p + ".trafficPolicy", configNamespace, subset.TrafficPolicy);
            }
        }

        ExportTo.Validate(context, "spec.exportTo", configNamespace, spec.ExportTo, isServiceEntry: false, isDestinationRuleWithSelector: spec.WorkloadSelector is not null);

        WorkloadSelectors.Validate(context, "spec.workloadSelector", spec.WorkloadSelector);
    }
}
