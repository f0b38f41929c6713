namespace Weft.Proxy.Listeners;

/// <summary>
/// The LDS listener whose socket (bound by the proxy itself) accepted the connection; <see cref="Done"/> tells the
/// listener the connection is over (it drains the open ones when it is removed).
/// </summary>
internal sealed class BoundListenerFeature(string name, Action done)
{
    private int _done;

    public string Name { get; } = name;

    public void Done()
    {
        if (Interlocked.Exchange(ref _done, 1) == 0)
        {
            done();
        }
    }
}
