using Weft.Proxy.Xds;
using Weft.Xds.Envoy.Extensions.Filters.Http.JwtAuthn.V3;

namespace Weft.Proxy.Authentication;

/// <summary>
/// A compiled <c>JwtRequirement</c>: a provider (optionally with its own audiences), any or all of several requirements,
/// or the two allowances. <c>allow_missing</c> is satisfied only when no provider of the filter finds any token;
/// <c>allow_missing_or_failed</c> always is.
/// </summary>
internal abstract record JwtRequirementModel
{
    public static JwtRequirementModel Compile(JwtRequirement requirement, IReadOnlyDictionary<string, JwtProviderModel> providers, string where) =>
        requirement.RequiresTypeCase switch
        {
            JwtRequirement.RequiresTypeOneofCase.ProviderName => new ProviderRequirement(Provider(requirement.ProviderName, providers, where), null),
            JwtRequirement.RequiresTypeOneofCase.ProviderAndAudiences => new ProviderRequirement(
                Provider(requirement.ProviderAndAudiences.ProviderName, providers, where), requirement.ProviderAndAudiences.Audiences.ToArray()),
            JwtRequirement.RequiresTypeOneofCase.RequiresAny => new AnyRequirement(List(requirement.RequiresAny.Requirements, providers, where + ".requires_any")),
            JwtRequirement.RequiresTypeOneofCase.RequiresAll => new AllRequirement(List(requirement.RequiresAll.Requirements, providers, where + ".requires_all")),
            JwtRequirement.RequiresTypeOneofCase.AllowMissing => new AllowMissingRequirement(),
            JwtRequirement.RequiresTypeOneofCase.AllowMissingOrFailed => new AllowMissingOrFailedRequirement(),
            _ => throw new XdsRejectedException($"{where}: the requirement is empty"),
        };

    private static JwtRequirementModel[] List(IEnumerable<JwtRequirement> requirements, IReadOnlyDictionary<string, JwtProviderModel> providers, string where)
    {
        var list = requirements.Select((r, i) => Compile(r, providers, $"{where}[{i}]")).ToArray();
        return list.Length >= 2 ? list : throw new XdsRejectedException($"{where} needs at least 2 requirements");
    }

    private static JwtProviderModel Provider(string name, IReadOnlyDictionary<string, JwtProviderModel> providers, string where) =>
        providers.TryGetValue(name, out var provider) ? provider : throw new XdsRejectedException($"{where}: provider \"{name}\" is not defined");
}

internal sealed record ProviderRequirement(JwtProviderModel Provider, IReadOnlyList<string>? Audiences) : JwtRequirementModel;

internal sealed record AnyRequirement(IReadOnlyList<JwtRequirementModel> Requirements) : JwtRequirementModel;

internal sealed record AllRequirement(IReadOnlyList<JwtRequirementModel> Requirements) : JwtRequirementModel;

internal sealed record AllowMissingRequirement : JwtRequirementModel;

internal sealed record AllowMissingOrFailedRequirement : JwtRequirementModel;
