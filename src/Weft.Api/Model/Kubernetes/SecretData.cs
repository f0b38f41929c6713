using System.Text;
using Weft.Api.Documents;
using Weft.Api.Model.Decoding;

namespace Weft.Api.Model.Kubernetes;

/// <summary>A Secret's type and data (TLS credentials for gateways and DestinationRules), base64 decoded.</summary>
public sealed record SecretData
{
    public string? Type { get; init; }

    public IReadOnlyDictionary<string, byte[]> Data { get; init; } = new Dictionary<string, byte[]>();

    internal static object Decode(MapNode node)
    {
        var data = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var (key, value) in NodeRead.Map(node["data"], NodeRead.String) ?? new Dictionary<string, string>())
        {
            try
            {
                data[key] = Convert.FromBase64String(value);
            }
            catch (FormatException)
            {
                // Not base64: the API server would have refused it; keep nothing rather than garbage.
            }
        }

        // stringData is write-only convenience in Kubernetes: it wins over data for the same key.
        foreach (var (key, value) in NodeRead.Map(node["stringData"], NodeRead.String) ?? new Dictionary<string, string>())
        {
            data[key] = Encoding.UTF8.GetBytes(value);
        }

        return new SecretData { Type = NodeRead.String(node["type"]), Data = data };
    }
}
