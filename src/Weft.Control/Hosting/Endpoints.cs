using System.Globalization;
using System.Net;

namespace Weft.Control.Hosting;

/// <summary>Parses the <c>HOST:PORT</c> listen addresses of the command line.</summary>
public static class Endpoints
{
    public static IPEndPoint Parse(string value, string flag)
    {
        var colon = value.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(value[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port > 65535)
        {
            throw new FormatException($"{flag} \"{value}\" is not HOST:PORT (for example 127.0.0.1:15010)");
        }

        var host = value[..colon].Trim('[', ']');
        if (host == "localhost")
        {
            return new IPEndPoint(IPAddress.Loopback, port);
        }

        if (!IPAddress.TryParse(host, out var address))
        {
            throw new FormatException($"{flag} \"{value}\": \"{host}\" is not an IP address");
        }

        return new IPEndPoint(address, port);
    }
}
