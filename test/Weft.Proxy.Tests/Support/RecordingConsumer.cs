using Google.Protobuf;
using Weft.Proxy.Xds;

namespace Weft.Proxy.Tests.Support;

/// <summary>An xDS consumer for protocol tests: compiles by a rule (refusing what it returns a reason for) and keeps every accepted view.</summary>
internal sealed class RecordingConsumer(Func<IMessage, string?>? refuse = null) : IXdsConsumer
{
    private readonly object _gate = new();
    private XdsConfig _last = XdsConfig.Empty;

    public XdsConfig Last
    {
        get
        {
            lock (_gate)
            {
                return _last;
            }
        }
    }

    public object Compile(string typeUrl, IMessage resource) =>
        refuse?.Invoke(resource) is { } reason ? throw new XdsRejectedException(reason) : resource;

    public void Updated(XdsConfig config)
    {
        lock (_gate)
        {
            _last = config;
        }
    }
}
