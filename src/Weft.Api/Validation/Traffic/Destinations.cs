using Weft.Api.Model.Networking;
using Weft.Api.Validation.Rules;

namespace Weft.Api.Validation.Traffic;

/// <summary>Istio's checks of route destinations, subset names, port selectors and weights.</summary>
internal static class Destinations
{
    /// <summary><c>validateDestination</c>: a host (not "*", wildcards allowed), a DNS-label subset, a port in range.</summary>
    public static void Validate(ValidationContext context, string path, Destination? destination)
    {
        if (destination is null)
        {
            return;
        }

        var host = destination.Host ?? string.Empty;
        if (host == "*")
        {
            context.Error(path + ".host", $"invalid destination host {host}");
        }
        else if (DnsNames.ValidateWildcardDomain(host) is { } error)
        {
            context.Error(path + ".host", error);
        }

        if (!string.IsNullOrEmpty(destination.Subset) && ValidateSubsetName(destination.Subset) is { } subsetError)
        {
            context.Error(path + ".subset", subsetError);
        }

        if (destination.Port is { } port && Ports.Validate(port.Number ?? 0) is { } portError)
        {
            context.Error(path + ".port.number", portError);
        }
    }

    /// <summary><c>validateSubsetName</c>.</summary>
    public static string? ValidateSubsetName(string? name)
    {
        if (string.IsNullOrEmpty(name))
        {
            return "subset name cannot be empty";
        }

        return DnsNames.IsDns1123Label(name) ? null : $"subset name is invalid: {name}";
    }

    /// <summary>A weight must not be negative (<c>validateWeight</c>).</summary>
    public static string? ValidateWeight(long weight) => weight < 0 ? $"weight {weight} < 0" : null;

    /// <summary>
    /// <c>validateHTTPRouteDestinations</c>: each entry needs a destination; header operations, destination and
    /// weight are checked; several destinations must not all weigh 0.
    /// </summary>
    public static void ValidateHttpRoutes(ValidationContext context, string path, IReadOnlyList<HTTPRouteDestination>? routes, bool gatewaySemantics)
    {
        if (routes is null)
        {
            return;
        }

        long total = 0;
        for (var i = 0; i < routes.Count; i++)
        {
            var route = routes[i];
            var p = $"{path}[{i}]";
            if (route.Destination is null)
            {
                context.Error(p + ".destination", "destination is required");
            }

            HttpHeaders.ValidateOperations(context, p + ".headers", route.Headers);
            if (!gatewaySemantics)
            {
                Validate(context, p + ".destination", route.Destination);
            }

            var weight = route.Weight ?? 0;
            if (ValidateWeight(weight) is { } error)
            {
                context.Error(p + ".weight", error);
            }

            total += weight;
        }

        if (routes.Count > 1 && total == 0)
        {
            context.Error(path, "total destination weight = 0");
        }
    }

    /// <summary><c>validateRouteDestinations</c> for TCP and TLS routes.</summary>
    public static void ValidateL4Routes(ValidationContext context, string path, IReadOnlyList<RouteDestination>? routes, bool gatewaySemantics)
    {
        if (routes is null)
        {
            return;
        }

        long total = 0;
        for (var i = 0; i < routes.Count; i++)
        {
            var route = routes[i];
            var p = $"{path}[{i}]";
            if (route.Destination is null)
            {
                context.Error(p + ".destination", "destination is required");
            }

            if (!gatewaySemantics)
            {
                Validate(context, p + ".destination", route.Destination);
            }

            var weight = route.Weight ?? 0;
            if (ValidateWeight(weight) is { } error)
            {
                context.Error(p + ".weight", error);
            }

            total += weight;
        }

        if (routes.Count > 1 && total == 0)
        {
            context.Error(path, "total destination weight = 0");
        }
    }
}
