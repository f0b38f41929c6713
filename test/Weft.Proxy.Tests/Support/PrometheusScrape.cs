using System.Globalization;
using System.Text;

namespace Weft.Proxy.Tests.Support;

/// <summary>
/// A scrape of a Prometheus text endpoint, parsed as Prometheus parses it: one sample per line, labels in the order
/// written (values unescaped), <c># TYPE</c> comments kept per metric.
/// </summary>
internal sealed class PrometheusScrape
{
    private PrometheusScrape(string text, List<Sample> samples, Dictionary<string, string> types)
    {
        Text = text;
        Samples = samples;
        Types = types;
    }

    public string Text { get; }

    public IReadOnlyList<Sample> Samples { get; }

    /// <summary>Metric name to type (counter, histogram, ...).</summary>
    public IReadOnlyDictionary<string, string> Types { get; }

    public static async Task<PrometheusScrape> GetAsync(Uri endpoint)
    {
        using var client = new HttpClient();
        using var response = await client.GetAsync(new Uri(endpoint, "/stats/prometheus"));
        response.EnsureSuccessStatusCode();
        Assert.StartsWith("text/plain; version=0.0.4", response.Content.Headers.ContentType?.ToString());
        return Parse(await response.Content.ReadAsStringAsync());
    }

    public static PrometheusScrape Parse(string text)
    {
        var samples = new List<Sample>();
        var types = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            if (line.StartsWith("# TYPE ", StringComparison.Ordinal))
            {
                var parts = line.Split(' ');
                types[parts[2]] = parts[3];
                continue;
            }

            if (line.StartsWith('#'))
            {
                continue;
            }

            samples.Add(ParseSample(line));
        }

        return new PrometheusScrape(text, samples, types);
    }

    /// <summary>The samples of a metric whose labels include every given pair.</summary>
    public IEnumerable<Sample> Find(string name, params (string Label, string Value)[] labels) =>
        Samples.Where(s => s.Name == name && labels.All(l => s.Label(l.Label) == l.Value));

    private static Sample ParseSample(string line)
    {
        var brace = line.IndexOf('{', StringComparison.Ordinal);
        var space = line.LastIndexOf(' ');
        var labels = new List<KeyValuePair<string, string>>();
        if (brace < 0)
        {
            return new Sample(line[..space], labels, double.Parse(line[(space + 1)..], CultureInfo.InvariantCulture));
        }

        var name = line[..brace];
        var i = brace + 1;
        while (line[i] != '}')
        {
            var eq = line.IndexOf('=', i);
            var label = line[i..eq];
            Assert.Equal('"', line[eq + 1]);
            var value = new StringBuilder();
            i = eq + 2;
            while (line[i] != '"')
            {
                if (line[i] == '\\')
                {
                    i++;
                    value.Append(line[i] switch { 'n' => '\n', var c => c });
                }
                else
                {
                    value.Append(line[i]);
                }

                i++;
            }

            labels.Add(new(label, value.ToString()));
            i++;
            if (line[i] == ',')
            {
                i++;
            }
        }

        return new Sample(name, labels, double.Parse(line[(i + 2)..], CultureInfo.InvariantCulture));
    }

    public sealed record Sample(string Name, IReadOnlyList<KeyValuePair<string, string>> Labels, double Value)
    {
        public string? Label(string name) => Labels.FirstOrDefault(l => l.Key == name).Value;

        public IEnumerable<string> LabelNames => Labels.Select(l => l.Key);
    }
}
