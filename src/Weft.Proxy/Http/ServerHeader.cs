using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using Weft.Proxy.Snapshot.Listeners;

namespace Weft.Proxy.Http;

/// <summary>The connection manager's response header policy: Server (overwrite, add if absent, or pass through) and Via.</summary>
internal sealed record ServerHeader(string Name, ServerHeaderMode Mode, string Via)
{
    public static ServerHeader For(ConnectionManagerModel manager) => new(manager.ServerName, manager.ServerHeader, manager.Via);

    public void Apply(HttpContext context)
    {
        var headers = context.Response.Headers;
        switch (Mode)
        {
            case ServerHeaderMode.Overwrite:
                headers.Server = Name;
                break;
            case ServerHeaderMode.AppendIfAbsent when StringValues.IsNullOrEmpty(headers.Server):
                headers.Server = Name;
                break;
        }

        if (Via.Length > 0)
        {
            headers.Via = StringValues.Concat(headers.Via, Via);
        }
    }
}
