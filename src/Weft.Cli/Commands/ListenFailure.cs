using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;

namespace Weft.Cli.Commands;

/// <summary>Turns a listener's failure to bind into the sentence a user needs: which address, and why.</summary>
internal static class ListenFailure
{
    /// <summary>Whether the failure is "the address is already in use" (Kestrel wraps it; a plain socket throws it).</summary>
    public static bool IsAddressInUse(Exception e) =>
        e is AddressInUseException || (e is SocketException s && s.SocketErrorCode == SocketError.AddressAlreadyInUse)
        || (e.InnerException is { } inner && IsAddressInUse(inner));

    public static string Describe(Exception e, IPEndPoint address) => IsAddressInUse(e)
        ? $"{address} is already in use by another program"
        : $"cannot listen on {address}: {e.Message.TrimEnd('.')}";
}
