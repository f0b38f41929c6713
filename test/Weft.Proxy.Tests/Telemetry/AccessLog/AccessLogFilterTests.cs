using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Logging.Abstractions;
using Weft.Proxy.Telemetry.AccessLog;
using Weft.Proxy.Telemetry.Expressions;
using Weft.Xds.Envoy.Config.AccessLog.V3;
using Weft.Xds.Envoy.Extensions.AccessLoggers.File.V3;
using Weft.Xds.Envoy.Extensions.AccessLoggers.Filters.Cel.V3;
using EnvoyAccessLog = Weft.Xds.Envoy.Config.AccessLog.V3.AccessLog;
using AccessLogFilter = Weft.Proxy.Telemetry.AccessLog.AccessLogFilter;
using XdsFilter = Weft.Xds.Envoy.Config.AccessLog.V3.AccessLogFilter;

namespace Weft.Proxy.Tests.Telemetry.AccessLog;

/// <summary>Envoy's access log filters as the proxy builds them from xDS and applies them per entry.</summary>
public sealed class AccessLogFilterTests
{
    [Theory]
    [InlineData(ComparisonFilter.Types.Op.Eq, 404u, 404, true)]
    [InlineData(ComparisonFilter.Types.Op.Eq, 404u, 200, false)]
    [InlineData(ComparisonFilter.Types.Op.Ge, 400u, 503, true)]
    [InlineData(ComparisonFilter.Types.Op.Ge, 400u, 399, false)]
    [InlineData(ComparisonFilter.Types.Op.Le, 299u, 200, true)]
    [InlineData(ComparisonFilter.Types.Op.Le, 299u, 0, true)] // no response sent: code 0
    [InlineData(ComparisonFilter.Types.Op.Ne, 200u, 0, true)]
    [InlineData(ComparisonFilter.Types.Op.Ne, 200u, 200, false)]
    public void A_status_code_filter_compares_the_response_code(ComparisonFilter.Types.Op op, uint value, int code, bool matches)
    {
        var filter = AccessLogFilter.FromXds(new XdsFilter { StatusCodeFilter = new() { Comparison = new() { Op = op, Value = new() { DefaultValue = value, RuntimeKey = "ignored" } } } });
        Assert.Equal(matches, filter.Matches(new AccessLogFacts(string.Empty, code)));
    }

    [Theory]
    [InlineData("", "NR", false)]
    [InlineData("NR", "NR", true)]
    [InlineData("UF,URX", "URX", true)]
    [InlineData("UF", "NR,UH", false)]
    [InlineData("UH", "", true)] // no flags listed: any flag
    [InlineData("", "", false)]
    public void A_response_flag_filter_matches_entries_with_one_of_its_flags(string flags, string listed, bool matches)
    {
        var filter = AccessLogFilter.FromXds(Flags(listed.Length == 0 ? [] : listed.Split(',')));
        Assert.Equal(matches, filter.Matches(new AccessLogFacts(flags, 0)));
    }

    [Fact]
    public void And_and_or_evaluate_in_order_and_stop_at_the_first_that_decides()
    {
        var and = AccessLogFilter.FromXds(new XdsFilter { AndFilter = new() { Filters = { Flags(["NR"]), Cel("response.code >= 400") } } });
        var or = AccessLogFilter.FromXds(new XdsFilter { OrFilter = new() { Filters = { Flags(["NR"]), Cel("response.code >= 400") } } });
        Assert.True(and.UsesAttributes);

        var counting = new CountingAttributes(404);
        Assert.False(and.Matches(new AccessLogFacts(string.Empty, 404, counting)));
        Assert.True(or.Matches(new AccessLogFacts("NR", 404, counting)));
        Assert.Equal(0, counting.Reads);

        Assert.True(and.Matches(new AccessLogFacts("NR", 404, counting)));
        Assert.True(or.Matches(new AccessLogFacts(string.Empty, 404, counting)));
        Assert.Equal(2, counting.Reads);
        Assert.False(or.Matches(new AccessLogFacts(string.Empty, 200, new CountingAttributes(200))));
    }

    [Fact]
    public void Filters_without_an_expression_do_not_ask_for_attributes()
    {
        var filter = AccessLogFilter.FromXds(new XdsFilter { OrFilter = new() { Filters = { Flags(["NR"]), new XdsFilter { StatusCodeFilter = new() { Comparison = new() { Op = ComparisonFilter.Types.Op.Ge, Value = new() { DefaultValue = 500 } } } } } } });
        Assert.False(filter.UsesAttributes);
        Assert.True(filter.Matches(new AccessLogFacts(string.Empty, 503)));
    }

    [Fact]
    public void Without_attributes_an_expression_does_not_match() =>
        Assert.False(AccessLogFilter.FromXds(Cel("true")).Matches(new AccessLogFacts(string.Empty, 200)));

    [Fact]
    public void A_filter_that_cannot_be_applied_refuses_the_log_naming_it()
    {
        string Refusal(XdsFilter filter)
        {
            var log = new EnvoyAccessLog { Name = "envoy.access_loggers.file", TypedConfig = Any.Pack(new FileAccessLog { Path = "/dev/stdout" }), Filter = filter };
            return Assert.Throws<FormatException>(() => AccessLogConfig.FromXds([log])).Message;
        }

        Assert.Equal(
            "access log envoy.access_loggers.file: CEL expression \"response.code >\" does not parse: at column 16: unexpected end of expression",
            Refusal(Cel("response.code >")));
        Assert.Equal(
            "access log envoy.access_loggers.file: the access log extension filter envoy.access_loggers.extension_filters.wasm is not supported (only envoy.access_loggers.extension_filters.cel is)",
            Refusal(new XdsFilter { ExtensionFilter = new() { Name = "envoy.access_loggers.extension_filters.wasm", TypedConfig = Any.Pack(new ExpressionFilter()) } }));
        Assert.Contains(
            "has type type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog, not type.googleapis.com/envoy.extensions.access_loggers.filters.cel.v3.ExpressionFilter",
            Refusal(new XdsFilter { ExtensionFilter = new() { Name = AccessLogFilter.CelExtension, TypedConfig = Any.Pack(new FileAccessLog()) } }),
            StringComparison.Ordinal);
        Assert.Contains("an and_filter needs at least two filters", Refusal(new XdsFilter { AndFilter = new() { Filters = { Flags(["NR"]) } } }), StringComparison.Ordinal);
        Assert.Contains("does not parse", Refusal(new XdsFilter { OrFilter = new() { Filters = { Flags(["NR"]), Cel("has(1)") } } }), StringComparison.Ordinal);
        Assert.Contains("names no kind", Refusal(new XdsFilter()), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Logs_sharing_a_writer_write_a_line_once_when_any_of_their_filters_matches()
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("weft-filter-").FullName, "shared.log");
        try
        {
            var configs = AccessLogConfig.FromXds([FileLog(path, Flags(["NR"])), FileLog(path, Cel("response.code >= 500"))]);
            await using var logs = new AccessLogs(null, NullLogger.Instance);
            var target = Assert.Single(logs.For(configs));
            Assert.True(AccessLogTarget.UseAttributes([target]));
            Assert.True(target.Accepts(new AccessLogFacts("NR", 404, new CountingAttributes(404))));
            Assert.True(target.Accepts(new AccessLogFacts(string.Empty, 503, new CountingAttributes(503))));
            Assert.False(target.Accepts(new AccessLogFacts(string.Empty, 200, new CountingAttributes(200))));

            var unfiltered = Assert.Single(logs.For(AccessLogConfig.FromXds([FileLog(path, Cel("false")), FileLog(path, null)])));
            Assert.Null(unfiltered.Filter);
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
        }
    }

    private static EnvoyAccessLog FileLog(string path, XdsFilter? filter) => new()
    {
        Name = "envoy.access_loggers.file",
        TypedConfig = Any.Pack(new FileAccessLog { Path = path }),
        Filter = filter,
    };

    private static XdsFilter Flags(string[] flags) => new() { ResponseFlagFilter = new() { Flags = { flags } } };

    private static XdsFilter Cel(string expression) => new()
    {
        ExtensionFilter = new() { Name = AccessLogFilter.CelExtension, TypedConfig = Any.Pack(new ExpressionFilter { Expression = expression }) },
    };

    private sealed class CountingAttributes(int code) : ICelActivation
    {
        public int Reads { get; private set; }

        public CelValue Resolve(CelAttribute attribute)
        {
            Reads++;
            return attribute == CelAttribute.ResponseCode ? CelValue.Int(code) : CelValue.Error("missing");
        }
    }
}
