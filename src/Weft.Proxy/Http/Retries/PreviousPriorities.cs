using Weft.Proxy.LoadBalancing;
using Weft.Proxy.Upstream;

namespace Weft.Proxy.Http.Retries;

/// <summary>
/// One request's <c>previous_priorities</c> retry priority (Istio's <c>retryRemoteLocalities</c>), as Envoy keeps it:
/// the hosts its attempts used, and after every <paramref name="updateFrequency"/> attempts new loads that leave out
/// every priority level those hosts are in, kept until the next update. Before the first update, and for good once
/// no level is left, picks use the cluster's own loads.
/// </summary>
internal sealed class PreviousPriorities(uint updateFrequency)
{
    private readonly List<UpstreamEndpoint> _attempted = [];
    private bool[] _excluded = [];
    private PriorityLoads? _loads;

    /// <summary>Records the host an attempt is sent to.</summary>
    public void Attempted(UpstreamEndpoint endpoint) => _attempted.Add(endpoint);

    /// <summary>The loads the next attempt's pick uses; null for the cluster's own.</summary>
    public PriorityLoads? Loads(ClusterLoadBalancer balancer)
    {
        if (_attempted.Count < updateFrequency)
        {
            return null;
        }

        if (_attempted.Count % updateFrequency == 0)
        {
            if (_excluded.Length < balancer.PriorityCount)
            {
                Array.Resize(ref _excluded, balancer.PriorityCount);
            }

            foreach (var endpoint in _attempted)
            {
                // Levels are the priorities themselves (an empty level stands for a missing one).
                if (endpoint.Host.Priority < (uint)_excluded.Length)
                {
                    _excluded[endpoint.Host.Priority] = true;
                }
            }

            _loads = balancer.LoadsExcluding(_excluded);
            if (_loads is null)
            {
                // Every level has been tried: count again from nothing. The exclusions stay, so later updates find
                // nothing left either and the cluster's own loads apply, as in Envoy.
                _attempted.Clear();
            }
        }

        return _loads;
    }
}
