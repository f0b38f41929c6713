using System.Numerics;
using Microsoft.AspNetCore.Http;
using Weft.Proxy.LoadBalancing;
using Weft.Proxy.Snapshot.Matching;
using Weft.Proxy.Snapshot.Routes.Hashing;
using Weft.Proxy.Xds;
using Weft.Xds.Envoy.Config.Route.V3;
using EnvoyHashPolicy = Weft.Xds.Envoy.Config.Route.V3.RouteAction.Types.HashPolicy;

namespace Weft.Proxy.Tests.Snapshot;

/// <summary>How a route's hash policy turns a request into the value ring hash and Maglev pick by.</summary>
public sealed class HashPolicyCompilerTests
{
    [Fact]
    public void A_header_hashes_its_value_and_repeated_headers_hash_their_sorted_values()
    {
        var policy = Compile(Header("x-user"));
        Assert.Equal(XxHash64.Hash("alice".AsSpan()), policy.Compute(new DefaultHttpContext(), RouteRequest.For("/", headers: ("x-user", "alice"))));
        Assert.Equal(XxHash64.Hash("ab".AsSpan()), policy.Compute(new DefaultHttpContext(), RouteRequest.For("/", headers: [("x-user", "b"), ("x-user", "a")])));
        Assert.Null(policy.Compute(new DefaultHttpContext(), RouteRequest.For("/")));
    }

    [Fact]
    public void Hashes_fold_in_order_and_a_terminal_entry_stops_once_there_is_a_hash()
    {
        var request = RouteRequest.For("/p?user=bob", headers: ("x-user", "alice"));
        var both = Compile(Header("x-user"), Query("user"));
        Assert.Equal(BitOperations.RotateLeft(XxHash64.Hash("alice".AsSpan()), 1) ^ XxHash64.Hash("bob".AsSpan()), both.Compute(new DefaultHttpContext(), request));

        var terminal = Header("x-user");
        terminal.Terminal = true;
        Assert.Equal(XxHash64.Hash("alice".AsSpan()), Compile(terminal, Query("user")).Compute(new DefaultHttpContext(), request));

        // A terminal entry without a hash lets the next one run.
        var missing = Header("x-missing");
        missing.Terminal = true;
        Assert.Equal(XxHash64.Hash("bob".AsSpan()), Compile(missing, Query("user")).Compute(new DefaultHttpContext(), request));
    }

    [Fact]
    public void Query_parameters_are_hashed_as_written_and_a_bare_name_has_the_empty_value()
    {
        var policy = Compile(Query("q"));
        Assert.Equal(XxHash64.Hash("a%20b".AsSpan()), policy.Compute(new DefaultHttpContext(), RouteRequest.For("/?x=1&q=a%20b&q=second")));
        Assert.Equal(XxHash64.Hash(ReadOnlySpan<byte>.Empty), policy.Compute(new DefaultHttpContext(), RouteRequest.For("/?q")));
        Assert.Null(policy.Compute(new DefaultHttpContext(), RouteRequest.For("/?qq=1")));
    }

    [Fact]
    public void Cookies_are_found_among_others_without_their_quotes()
    {
        var policy = Compile(new EnvoyHashPolicy { Cookie = new EnvoyHashPolicy.Types.Cookie { Name = "session" } });
        var request = RouteRequest.For("/", headers: ("cookie", "a=1; session=\"s1\"; b=2"));
        Assert.Equal(XxHash64.Hash("s1".AsSpan()), policy.Compute(new DefaultHttpContext(), request));
        Assert.Null(policy.Compute(new DefaultHttpContext(), RouteRequest.For("/", headers: ("cookie", "sessionx=1"))));
    }

    [Fact]
    public void Entries_that_never_hash_compile_to_no_policy_and_an_empty_entry_is_refused()
    {
        Assert.Null(HashPolicyCompiler.Compile([new EnvoyHashPolicy { ConnectionProperties = new EnvoyHashPolicy.Types.ConnectionProperties { SourceIp = false } }]));
        var e = Assert.Throws<XdsRejectedException>(() => HashPolicyCompiler.Compile([new EnvoyHashPolicy()]));
        Assert.Contains("sets none of header, cookie", e.Message);
    }

    private static HashPolicy Compile(params EnvoyHashPolicy[] policies) => HashPolicyCompiler.Compile(policies)!;

    private static EnvoyHashPolicy Header(string name) => new() { Header = new EnvoyHashPolicy.Types.Header { HeaderName = name } };

    private static EnvoyHashPolicy Query(string name) => new() { QueryParameter = new EnvoyHashPolicy.Types.QueryParameter { Name = name } };
}
