using Weft.Api.Model.Telemetry;

namespace Weft.Api.Validation.Security;

/// <summary>Istio's semantic rules for Telemetry: attachment, metrics overrides, tracing and access logging.</summary>
internal sealed class TelemetryValidator : ISpecValidator
{
    public string Kind => "Telemetry";

    public void Validate(ValidationContext context)
    {
        var spec = context.Resource.Spec as TelemetrySpec ?? new TelemetrySpec();
        SelectorRules.ValidateAttachment(context, spec.Selector, spec.TargetRef, spec.TargetRefs);

        ValidateMetrics(context, spec.Metrics);
        ValidateTracing(context, spec.Tracing);
        ValidateAccessLogging(context, spec.AccessLogging);
    }

    private static void ValidateMetrics(ValidationContext context, IReadOnlyList<Metrics>? metrics)
    {
        if (metrics is null)
        {
            return;
        }

        for (var i = 0; i < metrics.Count; i++)
        {
            var path = $"spec.metrics[{i}]";
            var m = metrics[i];
            ValidateProviders(context, path, m.Providers);
            if (m.Overrides is not { } overrides)
            {
                continue;
            }

            for (var j = 0; j < overrides.Count; j++)
            {
                var o = overrides[j];
                var overridePath = $"{path}.overrides[{j}]";
                if (o.TagOverrides is { } tags)
                {
                    foreach (var (name, tag) in tags)
                    {
                        if (name.Length == 0)
                        {
                            context.Warning($"{overridePath}.tagOverrides[{name}]", "tagOverrides.name may not be empty");
                        }

                        var operation = tag.Operation ?? "UPSERT";
                        if (operation == "UPSERT" && string.IsNullOrEmpty(tag.Value))
                        {
                            context.Error($"{overridePath}.tagOverrides[{name}].value", "tagOverrides.value must be set when operation is UPSERT");
                        }
                        else if (operation == "REMOVE" && !string.IsNullOrEmpty(tag.Value))
                        {
                            context.Error($"{overridePath}.tagOverrides[{name}].value", "tagOverrides.value may only be set when operation is UPSERT");
                        }
                    }
                }

                // metric and customMetric are the arms of a oneof; once given, even as "", an arm is chosen.
                if (o.Match is { Metric: not null, CustomMetric: not null })
                {
                    context.Error(overridePath + ".match", "only one of metric or customMetric may be set");
                }
                else if (o.Match?.CustomMetric is "")
                {
                    context.Error(overridePath + ".match.customMetric", "customMetric may not be empty");
                }
            }
        }
    }

    private static void ValidateTracing(ValidationContext context, IReadOnlyList<Tracing>? tracing)
    {
        if (tracing is null)
        {
            return;
        }

        if (tracing.Count > 1)
        {
            context.Warning("spec.tracing", "multiple tracing is not currently supported");
        }

        for (var i = 0; i < tracing.Count; i++)
        {
            var path = $"spec.tracing[{i}]";
            var t = tracing[i];
            if (t.Providers is { Count: > 1 })
            {
                context.Warning(path + ".providers", "multiple providers is not currently supported");
            }

            ValidateProviders(context, path, t.Providers);
            if (t.RandomSamplingPercentage is { } percentage && (percentage < 0 || percentage > 100))
            {
                context.Error(path + ".randomSamplingPercentage", "randomSamplingPercentage must be in range [0.0, 100.0]");
            }

            if (t.CustomTags is not { } tags)
            {
                continue;
            }

            foreach (var (name, tag) in tags)
            {
                if (name.Length == 0)
                {
                    context.Error($"{path}.customTags[{name}]", "tag name may not be empty");
                }

                var kinds = (tag.Literal is null ? 0 : 1) + (tag.Header is null ? 0 : 1) + (tag.Environment is null ? 0 : 1) + (tag.Formatter is null ? 0 : 1);
                if (kinds > 1)
                {
                    context.Error($"{path}.customTags[{name}]", "only one of literal, environment, header or formatter may be set");
                    continue;
                }

                if (tag.Literal is { } literal && string.IsNullOrEmpty(literal.Value))
                {
                    context.Error($"{path}.customTags[{name}].literal.value", "literal tag value may not be empty");
                }
                else if (tag.Header is { } header && string.IsNullOrEmpty(header.Name))
                {
                    context.Error($"{path}.customTags[{name}].header.name", "header tag name may not be empty");
                }
                else if (tag.Environment is { } environment && string.IsNullOrEmpty(environment.Name))
                {
                    context.Error($"{path}.customTags[{name}].environment.name", "environment tag name may not be empty");
                }
            }
        }
    }

    private static void ValidateAccessLogging(ValidationContext context, IReadOnlyList<AccessLogging>? logging)
    {
        if (logging is null)
        {
            return;
        }

        for (var i = 0; i < logging.Count; i++)
        {
            var path = $"spec.accessLogging[{i}]";
            var l = logging[i];
            if (l.Filter is { } filter && CelSyntax.Check(filter.Expression ?? string.Empty) is { } celError)
            {
                context.Error(path + ".filter.expression", "must be a valid CEL expression, " + celError);
            }

            ValidateProviders(context, path, l.Providers);
        }
    }

    private static void ValidateProviders(ValidationContext context, string path, IReadOnlyList<ProviderRef>? providers)
    {
        if (providers is null)
        {
            return;
        }

        for (var i = 0; i < providers.Count; i++)
        {
            if (string.IsNullOrEmpty(providers[i].Name))
            {
                context.Error($"{path}.providers[{i}].name", "providers.name may not be empty");
                return;
            }
        }
    }
}
