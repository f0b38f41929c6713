using Weft.Control.Tests.Support;
using static Weft.Control.Tests.Simulation.ShopMesh;

namespace Weft.Control.Tests.Simulation;

/// <summary>Which route of a VirtualService a request takes from a sidecar, feature by feature, as Istio translates it.</summary>
public sealed class RoutingSimulationTests
{
    private static readonly Lazy<TestMesh> Mesh = new(() => TestMesh.FromYaml(Files));

    private static readonly SimulationCase[] Cases =
    [
        new("uri exact: the exact path", Call.Http("paths", "/exact"),
            new Expect { Listener = "0.0.0.0_80", RouteConfig = "80", VirtualHost = Vhost("paths"), Route = "exact", Cluster = Cluster("a"), Endpoints = ["10.1.1.1:80"] }),
        new("uri exact: the query string is not part of the path", Call.Http("paths", "/exact?page=2"), new Expect { Route = "exact", Cluster = Cluster("a") }),
        new("uri exact: a longer path is not the exact path (404 NR)", Call.Http("paths", "/exact/more"),
            new Expect { VirtualHost = Vhost("paths"), Failure = Failure.NoRoute }),
        new("uri exact: paths are case-sensitive", Call.Http("paths", "/EXACT"), new Expect { Failure = Failure.NoRoute }),
        new("uri prefix: matches any path starting with it", Call.Http("paths", "/prefix/x"), new Expect { Route = "prefix", Cluster = Cluster("b") }),
        new("no route matches and there is no catch-all: 404 NR", Call.Http("paths", "/other"), new Expect { Failure = Failure.NoRoute }),

        new("ignoreUriCase: the prefix matches in any case", Call.Http("nocase", "/admin/users"),
            new Expect { Route = "admin", Cluster = Cluster("a") }),
        new("ignoreUriCase: the case as written matches", Call.Http("nocase", "/Admin/users"), new Expect { Route = "admin", Cluster = Cluster("a") }),

        new("uri regex: matches the whole path", Call.Http("regex", "/items/42"), new Expect { Route = "items", Cluster = Cluster("a") }),
        new("uri regex: a partial match is no match", Call.Http("regex", "/items/42x"),
            new Expect { Failure = Failure.NoRoute }),

        new("header exact: the header routes to b", Call.Http("headers", "/", ("end-user", "jason")), new Expect { Route = "jason", Cluster = Cluster("b") }),
        new("header exact: values are case-sensitive", Call.Http("headers", "/", ("end-user", "Jason")),
            new Expect { Route = "others", Cluster = Cluster("a") }),
        new("header exact: without the header the next route applies", Call.Http("headers", "/"),
            new Expect { Route = "others", Cluster = Cluster("a") }),
        new("header prefix", Call.Http("headers", "/", ("x-version", "2.1")),
            new Expect { Route = "beta", Cluster = Cluster("b") }),
        new("header names are case-insensitive", Call.Http("headers", "/", ("End-User", "jason")), new Expect { Route = "jason", Cluster = Cluster("b") }),

        new("withoutHeaders: a request without the header matches", Call.Http("without", "/"), new Expect { Route = "not-stable", Cluster = Cluster("b") }),
        new("withoutHeaders: a request with the header value does not", Call.Http("without", "/", ("x-stable", "1")),
            new Expect { Route = "stable", Cluster = Cluster("a") }),
        new("withoutHeaders: another value of the header matches", Call.Http("without", "/", ("x-stable", "0")),
            new Expect { Route = "not-stable", Cluster = Cluster("b") }),

        new("queryParams: the parameter routes to b", Call.Http("query", "/?tab=reviews"), new Expect { Route = "reviews-tab", Cluster = Cluster("b") }),
        new("queryParams: another value does not", Call.Http("query", "/?tab=details"),
            new Expect { Route = "rest", Cluster = Cluster("a") }),

        new("method: POST routes to b", Call.Http("methods", "/") with { Method = "POST" }, new Expect { Route = "writes", Cluster = Cluster("b") }),
        new("method: GET does not", Call.Http("methods", "/"), new Expect { Route = "reads", Cluster = Cluster("a") }),

        new("weights: a 90/10 split reports both clusters with their weights", Call.Http("split", "/"),
            new Expect { Route = "ninety-ten", Weighted = [new(Cluster("a"), 90), new(Cluster("b"), 10)] }),

        new("redirect: 301 to the new authority and path", Call.Http("moved", "/old"),
            new Expect { Route = "old", Status = 301, Location = "http://new.example.com/new" }),
        new("directResponse: answered by the sidecar", Call.Http("maintenance", "/anything"),
            new Expect { Route = "down", Status = 503, Body = "down for maintenance" }),

        new("subset: a subset the DestinationRule defines has its own cluster and endpoints", Call.Http("versions", "/"),
            new Expect { Route = "to-v1", Cluster = Cluster("versions", subset: "v1"), Endpoints = ["10.1.3.1:80"] }),
        new("subset: a subset the DestinationRule lacks has no cluster (503 NC)", Call.Http("versions", "/v3/x"),
            new Expect { Route = "to-v3", Cluster = Cluster("versions", subset: "v3"), Failure = Failure.ClusterNotFound }),

        new("match.gateways: a match for a gateway only does not apply to sidecars", Call.Http("gateways", "/"),
            new Expect { Route = "in-the-mesh", Cluster = Cluster("a") }),
        new("match.sourceLabels: a match for other workloads is skipped", Call.Http("sources", "/"),
            new Expect { Route = "from-others", Cluster = Cluster("a") }),
        new("match.sourceLabels: the workload with those labels takes it", Call.Http("sources", "/"),
            new Expect { Route = "from-v1", Cluster = Cluster("b") }) { Proxy = m => m.Sidecar(labels: new Dictionary<string, string> { ["version"] = "v1" }) },
        new("match.port: the match applies on its port (to b's only port, 80)", Call.Http("ports:8080", "/"),
            new Expect { RouteConfig = "8080", VirtualHost = Vhost("ports", 8080), Route = "on-8080", Cluster = Cluster("b") }),
        new("match.port: and not on the service's other ports", Call.Http("ports:80", "/"),
            new Expect { RouteConfig = "80", VirtualHost = Vhost("ports"), Route = "on-any-port", Cluster = Cluster("a") }),

        new("a service without a VirtualService gets Istio's default route", Call.Http("a", "/anything"),
            new Expect { VirtualHost = Vhost("a"), Route = "default", Cluster = Cluster("a"), Endpoints = ["10.1.1.1:80"] }),
    ];

    public static TheoryData<string> Names => new(Cases.Select(c => c.Name));

    [SkippableTheory]
    [MemberData(nameof(Names))]
    public void Request_takes_the_route_Istio_gives_it(string name) => Cases.Single(c => c.Name == name).Run(Mesh.Value);
}
