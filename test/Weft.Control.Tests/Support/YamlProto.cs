using System.Text;
using System.Text.Json;
using Google.Protobuf;
using Weft.Api.Documents;
using Weft.Xds;

namespace Weft.Control.Tests.Support;

/// <summary>
/// Envoy messages written as YAML (protobuf JSON field names, as Istio's goldens are) read into Weft's protos, and a
/// canonical JSON form of any message (object keys sorted, so map order does not matter; lists keep their order) for
/// structural comparison.
/// </summary>
internal static class YamlProto
{
    private static readonly JsonParser Parser = new(JsonParser.Settings.Default.WithTypeRegistry(XdsJson.Types));
    private static readonly JsonFormatter Formatter = new(JsonFormatter.Settings.Default.WithTypeRegistry(XdsJson.Types));

    /// <summary>The single document of a YAML file as a message; an empty file is null.</summary>
    public static T? ReadFile<T>(string path)
        where T : class, IMessage, new()
    {
        var document = YamlReader.Read(File.ReadAllText(path), path).SingleOrDefault(d => d.Root is not null);
        return document is null ? null : Parser.Parse<T>(ToJson(document.Root!));
    }

    /// <summary>A message as canonical, indented JSON.</summary>
    public static string Canonical(IMessage message)
    {
        using var document = JsonDocument.Parse(Formatter.Format(message));
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            WriteSorted(document.RootElement, writer);
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    public static string ToJson(Node node)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            Write(node, writer);
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static void Write(Node node, Utf8JsonWriter writer)
    {
        switch (node)
        {
            case MapNode map:
                writer.WriteStartObject();
                foreach (var entry in map.Entries)
                {
                    writer.WritePropertyName(entry.Key);
                    Write(entry.Value, writer);
                }

                writer.WriteEndObject();
                break;
            case ListNode list:
                writer.WriteStartArray();
                foreach (var item in list.Items)
                {
                    Write(item, writer);
                }

                writer.WriteEndArray();
                break;
            case ScalarNode { Kind: ScalarKind.Null }:
                writer.WriteNullValue();
                break;
            case ScalarNode { Kind: ScalarKind.Bool } b:
                writer.WriteBooleanValue(b.AsBool());
                break;
            case ScalarNode { Kind: ScalarKind.Int } i:
                writer.WriteNumberValue(i.AsLong());
                break;
            case ScalarNode { Kind: ScalarKind.Float } f:
                writer.WriteNumberValue(f.AsDouble());
                break;
            case ScalarNode s:
                writer.WriteStringValue(s.Text);
                break;
        }
    }

    private static void WriteSorted(JsonElement element, Utf8JsonWriter writer)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                writer.WriteStartObject();
                foreach (var property in element.EnumerateObject().OrderBy(p => p.Name, StringComparer.Ordinal))
                {
                    writer.WritePropertyName(property.Name);
                    WriteSorted(property.Value, writer);
                }

                writer.WriteEndObject();
                break;
            case JsonValueKind.Array:
                writer.WriteStartArray();
                foreach (var item in element.EnumerateArray())
                {
                    WriteSorted(item, writer);
                }

                writer.WriteEndArray();
                break;
            default:
                element.WriteTo(writer);
                break;
        }
    }
}
