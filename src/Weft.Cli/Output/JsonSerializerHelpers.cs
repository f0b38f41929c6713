using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Weft.Cli.Output;

internal static class JsonSerializerHelpers
{
    private static readonly JsonWriterOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>A JSON string literal for <paramref name="s"/>, which is also a valid double-quoted YAML scalar.</summary>
    public static string Quote(string s)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, Options))
        {
            writer.WriteStringValue(s);
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }
}
