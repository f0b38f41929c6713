using Google.Protobuf.Reflection;
using Type = Google.Protobuf.Reflection.FieldDescriptorProto.Types.Type;
using Label = Google.Protobuf.Reflection.FieldDescriptorProto.Types.Label;

namespace Weft.Xds.Tests;

/// <summary>
/// Compares every file, message, field, enum and service of our protos with Envoy's own, given a
/// FileDescriptorSet compiled with protoc from a checkout of Envoy's API protos (kept outside this repository). Skipped
/// without WEFT_ENVOY_DESCRIPTOR_SET, because Envoy's protos are not part of this repository. Options are not
/// compared: ours carry none (Envoy's deprecation marks become comments, so that code emitting a field Istio
/// still uses compiles without obsolete warnings).
/// </summary>
public sealed class EnvoyConformanceTests
{
    private const string Variable = "WEFT_ENVOY_DESCRIPTOR_SET";

    [SkippableFact]
    public void Every_definition_matches_Envoy()
    {
        var path = Environment.GetEnvironmentVariable(Variable);
        Skip.If(string.IsNullOrEmpty(path), $"{Variable} is not set");
        var envoy = FileDescriptorSet.Parser.ParseFrom(File.ReadAllBytes(path!)).File.ToDictionary(f => f.Name);

        var problems = new List<string>();
        var ours = OurFiles();
        Assert.NotEmpty(ours);
        foreach (var file in ours)
        {
            if (!envoy.TryGetValue(file.Name, out var theirs))
            {
                problems.Add($"{file.Name}: no such file in Envoy's API");
                continue;
            }

            if (file.Package != theirs.Package)
                problems.Add($"{file.Name}: package {file.Package}, Envoy's is {theirs.Package}");
            CompareEnums("." + file.Package, file.EnumType, theirs.EnumType, problems);
            CompareMessages("." + file.Package, file.MessageType, theirs.MessageType, problems);
            foreach (var service in file.Service)
            {
                var other = theirs.Service.FirstOrDefault(s => s.Name == service.Name);
                if (other is null)
                {
                    problems.Add($"{file.Name}: service {service.Name} not in Envoy");
                    continue;
                }

                foreach (var method in service.Method)
                {
                    var m = other.Method.FirstOrDefault(x => x.Name == method.Name);
                    if (m is null || m.InputType != method.InputType || m.OutputType != method.OutputType
                        || m.ClientStreaming != method.ClientStreaming || m.ServerStreaming != method.ServerStreaming)
                        problems.Add($"{service.Name}.{method.Name}: signature differs from Envoy's");
                }
            }
        }

        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    /// <summary>All of Weft.Xds's generated envoy/* files, as descriptor protos.</summary>
    internal static List<FileDescriptorProto> OurFiles() =>
        Descriptors.Files.Value.Select(f => FileDescriptorProto.Parser.ParseFrom(f.SerializedData)).ToList();

    private static void CompareMessages(string scope, IEnumerable<DescriptorProto> ours, IEnumerable<DescriptorProto> theirs, List<string> problems)
    {
        var byName = theirs.ToDictionary(m => m.Name);
        foreach (var message in ours)
        {
            var name = scope + "." + message.Name;
            if (!byName.TryGetValue(message.Name, out var other))
            {
                problems.Add($"{name}: no such message in Envoy");
                continue;
            }

            foreach (var field in message.Field)
            {
                var o = other.Field.FirstOrDefault(f => f.Number == field.Number);
                var where = $"{name}.{field.Name} = {field.Number}";
                if (o is null)
                {
                    problems.Add($"{where}: Envoy has no field {field.Number}");
                    continue;
                }

                if (o.Name != field.Name) problems.Add($"{where}: Envoy names field {field.Number} {o.Name}");
                if (o.Type != field.Type || (field.Type is Type.Message or Type.Enum && o.TypeName != field.TypeName))
                    problems.Add($"{where}: type {field.Type} {field.TypeName}, Envoy's is {o.Type} {o.TypeName}");
                if (o.Label != field.Label) problems.Add($"{where}: label {field.Label}, Envoy's is {o.Label}");
                if (o.Proto3Optional != field.Proto3Optional) problems.Add($"{where}: proto3 optional differs");
                var ourOneof = field.HasOneofIndex ? message.OneofDecl[field.OneofIndex].Name : null;
                var theirOneof = o.HasOneofIndex ? other.OneofDecl[o.OneofIndex].Name : null;
                if (ourOneof != theirOneof) problems.Add($"{where}: oneof {ourOneof ?? "-"}, Envoy's is {theirOneof ?? "-"}");
            }

            foreach (var reserved in message.ReservedRange)
            {
                if (!other.ReservedRange.Any(r => r.Start == reserved.Start && r.End == reserved.End))
                    problems.Add($"{name}: reserved {reserved.Start}..{reserved.End - 1} is not reserved in Envoy");
            }

            foreach (var reserved in message.ReservedName)
            {
                if (!other.ReservedName.Contains(reserved))
                    problems.Add($"{name}: reserved name {reserved} is not reserved in Envoy");
            }

            CompareEnums(name, message.EnumType, other.EnumType, problems);
            CompareMessages(name, message.NestedType, other.NestedType, problems);
        }
    }

    private static void CompareEnums(string scope, IEnumerable<EnumDescriptorProto> ours, IEnumerable<EnumDescriptorProto> theirs, List<string> problems)
    {
        var byName = theirs.ToDictionary(e => e.Name);
        foreach (var e in ours)
        {
            var name = scope + "." + e.Name;
            if (!byName.TryGetValue(e.Name, out var other))
            {
                problems.Add($"{name}: no such enum in Envoy");
                continue;
            }

            var ourValues = string.Join(", ", e.Value.Select(v => $"{v.Name}={v.Number}"));
            var theirValues = string.Join(", ", other.Value.Select(v => $"{v.Name}={v.Number}"));
            if (ourValues != theirValues) problems.Add($"{name}: values [{ourValues}], Envoy's are [{theirValues}]");
        }
    }
}
