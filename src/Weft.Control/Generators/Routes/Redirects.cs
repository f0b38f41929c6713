using Weft.Api.Model.Networking;
using Weft.Xds.Envoy.Config.Route.V3;
using Code = Weft.Xds.Envoy.Config.Route.V3.RedirectAction.Types.RedirectResponseCode;

namespace Weft.Control.Generators.Routes;

/// <summary>A VirtualService <c>redirect</c> as an Envoy redirect action.</summary>
internal static class Redirects
{
    public const string FromRequestPort = "FROM_REQUEST_PORT";

    /// <summary>
    /// The redirect; null for a status code Envoy cannot send (Istio then leaves the route without an action, and
    /// Envoy answers it with 404).
    /// </summary>
    /// <param name="listenerPort">
    /// The port routes are built for. Envoy cannot copy the request's port into the redirect, but every route
    /// configuration belongs to one port, so <c>derivePort: FROM_REQUEST_PORT</c> can name it.
    /// </param>
    /// <param name="isTls">Whether the listener terminates TLS: the scheme a port is judged against when none is given.</param>
    public static RedirectAction? Translate(HTTPRedirect redirect, int listenerPort, bool isTls)
    {
        var code = (redirect.RedirectCode ?? 0) switch
        {
            0 or 301 => Code.MovedPermanently,
            302 => Code.Found,
            303 => Code.SeeOther,
            307 => Code.TemporaryRedirect,
            308 => Code.PermanentRedirect,
            _ => (Code?)null,
        };
        if (code is null)
        {
            return null;
        }

        var action = new RedirectAction { HostRedirect = redirect.Authority ?? string.Empty, ResponseCode = code.Value };
        if (!string.IsNullOrEmpty(redirect.PrefixRewrite))
        {
            action.PrefixRewrite = redirect.PrefixRewrite;
        }
        else
        {
            action.PathRedirect = redirect.Uri ?? string.Empty;
        }

        if (!string.IsNullOrEmpty(redirect.Scheme))
        {
            action.SchemeRedirect = redirect.Scheme;
        }

        if (redirect.DerivePort is not null || redirect.Port is not null)
        {
            if (redirect.Port is { } port)
            {
                action.PortRedirect = (uint)port;
            }
            else if (redirect.DerivePort == FromRequestPort)
            {
                action.PortRedirect = (uint)listenerPort;
            }

            // The scheme's default port is left implicit, so Location reads https://host/ rather than https://host:443/.
            var scheme = !string.IsNullOrEmpty(redirect.Scheme) ? redirect.Scheme : isTls ? "https" : "http";
            if ((action.PortRedirect == 80 && scheme == "http") || (action.PortRedirect == 443 && scheme == "https"))
            {
                action.PortRedirect = 0;
            }
        }

        return action;
    }
}
