using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Weft.Proxy.Tests.Support;

/// <summary>
/// A plain TCP server on a real loopback port, serving each connection with a small protocol a test can observe:
/// echo, speak first, answer only once the client has finished sending, or finish sending first and then listen.
/// </summary>
internal sealed class TcpBackend : IAsyncDisposable
{
    private readonly Socket _listener;
    private readonly Func<Socket, Task> _serve;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private int _connections;

    private TcpBackend(string name, Func<TcpBackend, Socket, Task> serve, IPAddress address)
    {
        Name = name;
        _serve = s => serve(this, s);
        _listener = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        _listener.Bind(new IPEndPoint(address, 0));
        _listener.Listen(128);
        _accepting = AcceptAsync();
    }

    public string Name { get; }

    public int Port => ((IPEndPoint)_listener.LocalEndPoint!).Port;

    /// <summary>How many connections it has accepted.</summary>
    public int Connections => Volatile.Read(ref _connections);

    /// <summary>What each connection sent before its end, once it has ended (the "listens after finishing" protocol).</summary>
    public ConcurrentQueue<string> Received { get; } = new();

    /// <summary>Serves each connection with <paramref name="serve"/>, a protocol of the test's own.</summary>
    public static TcpBackend Serving(string name, Func<Socket, Task> serve) => new(name, (_, s) => serve(s), IPAddress.Loopback);

    /// <summary>Echoes every byte back; answers the client's FIN with its own.</summary>
    public static TcpBackend Echo(string name) => new(name, static (_, s) => EchoAsync(s), IPAddress.Loopback);

    /// <summary>Speaks first (<c>220 NAME ready</c>, as an SMTP server does), then echoes.</summary>
    public static TcpBackend Greeter(string name) => new(name, static async (b, s) =>
    {
        await s.SendAsync(Encoding.ASCII.GetBytes($"220 {b.Name} ready\r\n"));
        await EchoAsync(s);
    }, IPAddress.Loopback);

    /// <summary>Says the address its caller connected from (<c>IP\n</c>), then echoes.</summary>
    public static TcpBackend Caller(string name) => new(name, static async (_, s) =>
    {
        await s.SendAsync(Encoding.ASCII.GetBytes($"{((IPEndPoint)s.RemoteEndPoint!).Address}\n"));
        await EchoAsync(s);
    }, IPAddress.Loopback);

    /// <summary>Reads until the client's FIN, then answers <c>NAME got N bytes</c> and closes.</summary>
    public static TcpBackend AnswerAfterEnd(string name) => new(name, static async (b, s) =>
    {
        var text = await ReadToEndAsync(s);
        await s.SendAsync(Encoding.ASCII.GetBytes($"{b.Name} got {text.Length} bytes"));
        s.Shutdown(SocketShutdown.Send);
    }, IPAddress.Loopback);

    /// <summary>Says <c>NAME done</c> and sends its FIN at once, then keeps reading until the client's FIN.</summary>
    public static TcpBackend FinishFirst(string name) => new(name, static async (b, s) =>
    {
        await s.SendAsync(Encoding.ASCII.GetBytes($"{b.Name} done"));
        s.Shutdown(SocketShutdown.Send);
        b.Received.Enqueue(await ReadToEndAsync(s));
    }, IPAddress.Loopback);

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptAsync(_stop.Token);
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }

            Interlocked.Increment(ref _connections);
            _ = Task.Run(async () =>
            {
                using (socket)
                {
                    try
                    {
                        await _serve(socket);
                    }
                    catch (SocketException)
                    {
                    }
                }
            });
        }
    }

    private static async Task EchoAsync(Socket socket)
    {
        var buffer = new byte[16 * 1024];
        int read;
        while ((read = await socket.ReceiveAsync(buffer.AsMemory(), SocketFlags.None)) > 0)
        {
            await socket.SendAsync(buffer.AsMemory(0, read), SocketFlags.None);
        }

        socket.Shutdown(SocketShutdown.Send);
    }

    private static async Task<string> ReadToEndAsync(Socket socket)
    {
        var text = new StringBuilder();
        var buffer = new byte[16 * 1024];
        int read;
        while ((read = await socket.ReceiveAsync(buffer.AsMemory(), SocketFlags.None)) > 0)
        {
            text.Append(Encoding.ASCII.GetString(buffer, 0, read));
        }

        return text.ToString();
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Dispose();
        await _accepting;
        _stop.Dispose();
    }
}
