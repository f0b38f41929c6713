using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using Weft.Proxy.Snapshot.Listeners;

namespace Weft.Proxy.Http;

/// <summary>The connection manager's response header policy: Server (overwrite, add if absent, or pass through) and Via.</summary>
internal static class ServerHeader
{
    public static void Apply(ConnectionManagerModel manager, HttpContext context)
    {
        var headers = context.Response.Headers;
        switch (manager.ServerHeader)
        {
            case ServerHeaderMode.Overwrite:
                headers.Server = manager.ServerName;
                break;
            case ServerHeaderMode.AppendIfAbsent when StringValues.IsNullOrEmpty(headers.Server):
                headers.Server = manager.ServerName;
                break;
        }

        if (manager.Via.Length > 0)
        {
            headers.Via = StringValues.Concat(headers.Via, manager.Via);
        }
    }
}
