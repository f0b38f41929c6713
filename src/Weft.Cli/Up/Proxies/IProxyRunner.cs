namespace Weft.Cli.Up.Proxies;

/// <summary>
/// Starts proxies for <c>weft up</c>: the one seam between it and the data plane, so a child <c>weft proxy</c> process and an
/// in-process proxy are interchangeable. <see cref="StartAsync"/> returns once the proxy is starting (not yet ready: readiness
/// is <c>/healthz/ready</c> on its health address); it throws <see cref="ProxyStartException"/> when it cannot start one.
/// </summary>
internal interface IProxyRunner
{
    Task<IRunningProxy> StartAsync(ProxyLaunch launch, CancellationToken cancel);
}
