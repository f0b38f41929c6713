using System.Text;
using Weft.Proxy.Telemetry;
using Weft.Proxy.Telemetry.Metrics;
using Weft.Proxy.Tests.Support;

namespace Weft.Proxy.Tests.Telemetry;

public sealed class PrometheusTextTests
{
    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("back\\slash", "back\\\\slash")]
    [InlineData("say \"hi\"", "say \\\"hi\\\"")]
    [InlineData("two\nlines", "two\\nlines")]
    [InlineData("tab\tand unicode é", "tab\tand unicode é")]
    public void Label_values_are_escaped_as_the_exposition_format_asks(string value, string escaped)
    {
        var text = PrometheusText.AppendLabel(new StringBuilder(), "l", value).ToString();
        Assert.Equal($"l=\"{escaped}\"", text);

        // What a scraper reads back is the original value.
        var sample = PrometheusScrape.Parse($"m{{{text}}} 1\n").Samples.Single();
        Assert.Equal(value, sample.Label("l"));
    }

    [Fact]
    public void Bucket_bounds_print_as_Envoy_prints_them()
    {
        Assert.Equal(
            ["0.5", "1", "5", "10", "25", "50", "100", "250", "500", "1000", "2500", "5000", "10000", "30000", "60000", "300000", "600000", "1.8e+06", "3.6e+06"],
            Histogram.DefaultBounds.Select(PrometheusText.FormatBound));
    }

    [Fact]
    public void A_histogram_renders_cumulative_buckets_and_a_count_equal_to_the_last()
    {
        var histogram = new Histogram();
        foreach (var value in new long[] { 0, 1, 3, 3, 40, 7_000_000 })
        {
            histogram.Record(value);
        }

        var text = new StringBuilder();
        histogram.Write(text, "h", "a=\"b\"");
        var scrape = PrometheusScrape.Parse(text.ToString());
        var buckets = scrape.Find("h_bucket").ToList();
        Assert.Equal(20, buckets.Count);
        Assert.All(buckets, b => Assert.Equal(["a", "le"], b.LabelNames));
        Assert.Equal(1, buckets.Single(b => b.Label("le") == "0.5").Value);
        Assert.Equal(2, buckets.Single(b => b.Label("le") == "1").Value);
        Assert.Equal(4, buckets.Single(b => b.Label("le") == "5").Value);
        Assert.Equal(5, buckets.Single(b => b.Label("le") == "50").Value);
        Assert.Equal(5, buckets.Single(b => b.Label("le") == "3.6e+06").Value);
        Assert.Equal(6, buckets.Single(b => b.Label("le") == "+Inf").Value);
        Assert.Equal(6, scrape.Find("h_count").Single().Value);
        Assert.Equal(7_000_047, scrape.Find("h_sum").Single().Value);
    }

    [Fact]
    public void Series_render_every_label_of_Istios_set_in_order_with_escaped_values()
    {
        var local = WorkloadMetadata.Local("web", "shop", new Dictionary<string, string> { ["app"] = "web\"x", ["version"] = "v1" }, "Kubernetes");
        var metrics = new IstioMetrics(local);
        var peer = new WorkloadMetadata("db-v2", "data", "db", "", "", "", "east");
        metrics.RecordRequest(new HttpSeriesKey(new PeerLabels(false, peer, "db.data.svc.cluster.local", "db", "data", null), false, 200, "", "", StatsConfig.Standard, default), 3, 10, 20);
        metrics.RecordRequest(new HttpSeriesKey(new PeerLabels(false, peer, "db.data.svc.cluster.local", "db", "data", null), false, 200, "", "", StatsConfig.Standard, default), 3, 10, 20);

        var text = new StringBuilder();
        metrics.Render(text);
        var scrape = PrometheusScrape.Parse(text.ToString());
        var requests = scrape.Find("istio_requests_total").Single();
        Assert.Equal(2, requests.Value);
        Assert.Equal(
            new Dictionary<string, string>
            {
                ["reporter"] = "source", ["source_workload"] = "web", ["source_canonical_service"] = "web\"x", ["source_canonical_revision"] = "v1",
                ["source_workload_namespace"] = "shop", ["source_principal"] = "unknown", ["source_app"] = "web\"x", ["source_version"] = "v1",
                ["source_cluster"] = "Kubernetes", ["destination_workload"] = "db-v2", ["destination_workload_namespace"] = "data",
                ["destination_principal"] = "unknown", ["destination_app"] = "unknown", ["destination_version"] = "unknown",
                ["destination_service"] = "db.data.svc.cluster.local", ["destination_canonical_service"] = "db",
                ["destination_canonical_revision"] = "latest", ["destination_service_name"] = "db", ["destination_service_namespace"] = "data",
                ["destination_cluster"] = "east", ["request_protocol"] = "http", ["response_code"] = "200", ["grpc_response_status"] = "",
                ["response_flags"] = "-", ["connection_security_policy"] = "unknown",
            },
            requests.Labels.ToDictionary(l => l.Key, l => l.Value));
        Assert.Equal(StandardLabels.HttpNames, requests.LabelNames);
        Assert.Equal("counter", scrape.Types["istio_requests_total"]);
        Assert.Equal("histogram", scrape.Types["istio_request_duration_milliseconds"]);
        Assert.Equal(2, scrape.Find("istio_response_bytes_sum").Single().Value / 20);
    }
}
