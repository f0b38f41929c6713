using System.Text;
using System.Text.Json;
using Weft.Api.Validation;

namespace Weft.Cli.Output;

/// <summary>Renders a validation report for people (text) or machines (json, yaml); both machine forms carry the same fields.</summary>
internal static class ReportWriter
{
    public static void WriteText(ValidationReport report, TextWriter stdout, TextWriter stderr)
    {
        foreach (var d in report.FileErrors)
        {
            stderr.WriteLine("error: " + d);
        }

        foreach (var r in report.Resources)
        {
            foreach (var d in r.Errors)
            {
                stderr.WriteLine("error: " + d);
            }

            foreach (var d in r.Warnings)
            {
                stderr.WriteLine("warning: " + d.ToString().Replace("warning: ", string.Empty, StringComparison.Ordinal));
            }
        }

        var checkedCount = report.Resources.Count(r => r.Checked);
        var skipped = report.Resources.Count - checkedCount;
        var skippedNote = skipped > 0 ? $" ({skipped} of kinds Weft does not check were skipped)" : string.Empty;
        var warnings = report.WarningCount > 0 ? $", {report.WarningCount} warning{Plural(report.WarningCount)}" : string.Empty;
        if (report.IsValid)
        {
            stdout.WriteLine($"validation succeeded: {checkedCount} resource{Plural(checkedCount)} valid{warnings}{skippedNote}");
        }
        else
        {
            var bad = report.Resources.Count(r => !r.IsValid);
            stdout.WriteLine($"validation failed: {report.ErrorCount} error{Plural(report.ErrorCount)} in {bad} of {checkedCount} resource{Plural(checkedCount)}" +
                (report.FileErrors.Count > 0 ? $" and {report.FileErrors.Count} unreadable document{Plural(report.FileErrors.Count)}" : string.Empty) + warnings + skippedNote);
        }
    }

    public static void WriteJson(ValidationReport report, TextWriter stdout)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteBoolean("valid", report.IsValid);
            json.WriteNumber("errorCount", report.ErrorCount);
            json.WriteNumber("warningCount", report.WarningCount);
            json.WriteStartArray("fileErrors");
            foreach (var d in report.FileErrors)
            {
                WriteJsonDiagnostic(json, d);
            }

            json.WriteEndArray();
            json.WriteStartArray("resources");
            foreach (var r in report.Resources)
            {
                json.WriteStartObject();
                json.WriteString("kind", r.Kind);
                json.WriteString("namespace", r.Namespace);
                json.WriteString("name", r.Name);
                json.WriteString("file", r.Location.File);
                json.WriteNumber("line", r.Location.Line);
                json.WriteBoolean("checked", r.Checked);
                json.WriteBoolean("valid", r.IsValid);
                json.WriteStartArray("errors");
                foreach (var d in r.Errors)
                {
                    WriteJsonDiagnostic(json, d);
                }

                json.WriteEndArray();
                json.WriteStartArray("warnings");
                foreach (var d in r.Warnings)
                {
                    WriteJsonDiagnostic(json, d);
                }

                json.WriteEndArray();
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        stdout.WriteLine(Encoding.UTF8.GetString(stream.ToArray()));
    }

    private static void WriteJsonDiagnostic(Utf8JsonWriter json, Diagnostic d)
    {
        json.WriteStartObject();
        json.WriteString("field", d.FieldPath);
        json.WriteString("message", d.Message);
        json.WriteString("file", d.Location.File);
        json.WriteNumber("line", d.Location.Line);
        json.WriteNumber("column", d.Location.Column);
        json.WriteString("text", d.Detail);
        json.WriteEndObject();
    }

    public static void WriteYaml(ValidationReport report, TextWriter stdout)
    {
        stdout.WriteLine($"valid: {Bool(report.IsValid)}");
        stdout.WriteLine($"errorCount: {report.ErrorCount}");
        stdout.WriteLine($"warningCount: {report.WarningCount}");
        WriteYamlDiagnostics(stdout, "fileErrors", report.FileErrors, "");
        if (report.Resources.Count == 0)
        {
            stdout.WriteLine("resources: []");
            return;
        }

        stdout.WriteLine("resources:");
        foreach (var r in report.Resources)
        {
            stdout.WriteLine($"- kind: {Q(r.Kind)}");
            stdout.WriteLine($"  namespace: {Q(r.Namespace)}");
            stdout.WriteLine($"  name: {Q(r.Name)}");
            stdout.WriteLine($"  file: {Q(r.Location.File)}");
            stdout.WriteLine($"  line: {r.Location.Line}");
            stdout.WriteLine($"  checked: {Bool(r.Checked)}");
            stdout.WriteLine($"  valid: {Bool(r.IsValid)}");
            WriteYamlDiagnostics(stdout, "errors", r.Errors.ToList(), "  ");
            WriteYamlDiagnostics(stdout, "warnings", r.Warnings.ToList(), "  ");
        }
    }

    private static void WriteYamlDiagnostics(TextWriter w, string key, IReadOnlyList<Diagnostic> list, string indent)
    {
        if (list.Count == 0)
        {
            w.WriteLine($"{indent}{key}: []");
            return;
        }

        w.WriteLine($"{indent}{key}:");
        foreach (var d in list)
        {
            w.WriteLine($"{indent}- field: {Q(d.FieldPath)}");
            w.WriteLine($"{indent}  message: {Q(d.Message)}");
            w.WriteLine($"{indent}  file: {Q(d.Location.File)}");
            w.WriteLine($"{indent}  line: {d.Location.Line}");
            w.WriteLine($"{indent}  column: {d.Location.Column}");
            w.WriteLine($"{indent}  text: {Q(d.Detail)}");
        }
    }

    private static string Bool(bool b) => b ? "true" : "false";

    private static string Plural(int n) => n == 1 ? string.Empty : "s";

    /// <summary>A double-quoted YAML scalar (JSON string escaping is valid YAML).</summary>
    private static string Q(string? s) => s is null ? "null" : JsonSerializerHelpers.Quote(s);
}
