using System.Threading.Channels;
using Google.Protobuf.Collections;
using Weft.Xds;
using Weft.Xds.Envoy.Service.Discovery.V3;

namespace Weft.Bench.Scale;

/// <summary>
/// One ADS stream of the replay server. Its requests are answered by the simplest rule that serves a well-behaved client:
/// a request without a nonce, or naming other resources than the last of its type, gets the class's prebuilt response; an
/// ACK or a NACK gets nothing. Responses, to requests and to pushes alike, wait in one queue that the stream's call drains,
/// so they are written one at a time and in order.
/// </summary>
internal sealed class ReplayStream(ReplayResponses responses, Func<long> routesVersion)
{
    private readonly Channel<DiscoveryResponse> _outgoing = Channel.CreateUnbounded<DiscoveryResponse>(new UnboundedChannelOptions { SingleReader = true });

    // What the stream last asked for per type, as a fingerprint rather than the names: an EDS request names every cluster,
    // and keeping a thousand clients' copies would put garbage collection into the floor.
    private readonly Dictionary<string, NamesFingerprint> _asked = new(StringComparer.Ordinal);
    private readonly object _routesGate = new();
    private bool _routesAnswered;

    public ReplayResponses Responses { get; } = responses;

    public ChannelReader<DiscoveryResponse> Outgoing => _outgoing.Reader;

    /// <summary>Queues the answer to a request, if it asks for something; called by the stream's request loop only.</summary>
    public void Handle(DiscoveryRequest request)
    {
        if (request.ErrorDetail is not null || !ReplayResponses.Serves(request.TypeUrl))
        {
            return;
        }

        var names = NamesFingerprint.Of(request.ResourceNames);
        var same = _asked.TryGetValue(request.TypeUrl, out var last) && last == names;
        _asked[request.TypeUrl] = names;
        if (request.ResponseNonce.Length > 0 && same)
        {
            return;
        }

        if (request.TypeUrl == TypeUrls.RouteConfiguration)
        {
            // Under the lock a push takes too, so a push that raced this request is not lost: either it saw the routes
            // answered and queues its version after this, or this reads its version.
            lock (_routesGate)
            {
                _routesAnswered = true;
                _outgoing.Writer.TryWrite(Responses.Routes(routesVersion()));
            }

            return;
        }

        _outgoing.Writer.TryWrite(Responses.For(request.TypeUrl, ReplayServer.FirstVersion)!);
    }

    /// <summary>Queues the routes of <paramref name="version"/>, if the stream has been answered routes.</summary>
    public void Push(long version)
    {
        lock (_routesGate)
        {
            if (_routesAnswered)
            {
                _outgoing.Writer.TryWrite(Responses.Routes(version));
            }
        }
    }

    /// <summary>Ends the queue (with the request loop's failure, if any), which ends the call once it is drained.</summary>
    public void End(Exception? failure) => _outgoing.Writer.TryComplete(failure);

    /// <summary>A set of resource names, order ignored, in 24 bytes; two different sets collide only by a 64-bit coincidence.</summary>
    private readonly record struct NamesFingerprint(int Count, ulong Sum, ulong Xor)
    {
        public static NamesFingerprint Of(RepeatedField<string> names)
        {
            ulong sum = 0, xor = 0;
            foreach (var name in names)
            {
                var hash = Fnv1a(name);
                sum += hash;
                xor ^= hash;
            }

            return new NamesFingerprint(names.Count, sum, xor);
        }

        private static ulong Fnv1a(string text)
        {
            var hash = 14695981039346656037UL;
            foreach (var c in text)
            {
                hash = (hash ^ c) * 1099511628211UL;
            }

            return hash;
        }
    }
}
