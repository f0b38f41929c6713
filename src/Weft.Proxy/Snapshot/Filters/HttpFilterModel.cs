namespace Weft.Proxy.Snapshot.Filters;

/// <summary>
/// An HTTP filter of a connection manager that runs before the router, in the manager's order, under the name that
/// routes use in <c>typed_per_filter_config</c>. A filter disabled in the manager runs only where a route enables it.
/// </summary>
internal abstract record HttpFilterModel(string Name, bool DisabledByDefault);

/// <summary><c>envoy.filters.http.fault</c>, with the faults it injects when no route overrides them.</summary>
internal sealed record FaultFilterModel(string Name, bool DisabledByDefault, FaultPolicy Defaults) : HttpFilterModel(Name, DisabledByDefault);

/// <summary><c>envoy.filters.http.cors</c>; its policies come from the routes.</summary>
internal sealed record CorsFilterModel(string Name, bool DisabledByDefault) : HttpFilterModel(Name, DisabledByDefault);
