using System.Reflection;
using System.Xml.Linq;

namespace Weft.Proxy.Tests.Architecture;

/// <summary>ARCHITECTURE.md: the proxy never references the control plane; the only thing between them is xDS.</summary>
public sealed class BoundaryTests
{
    [Fact]
    public void Proxy_assembly_does_not_reference_the_control_plane()
    {
        var proxy = Assembly.Load("Weft.Proxy");
        var referenced = Closure(proxy).Select(a => a.Name).ToList();
        Assert.Contains("Weft.Xds", referenced);
        Assert.DoesNotContain("Weft.Control", referenced);
    }

    [Fact]
    public void Proxy_project_has_no_project_reference_to_the_control_plane()
    {
        var root = RepositoryRoot();
        var project = XDocument.Load(Path.Combine(root, "src", "Weft.Proxy", "Weft.Proxy.csproj"));
        var references = project.Descendants("ProjectReference").Select(e => (string?)e.Attribute("Include") ?? string.Empty).ToList();
        Assert.NotEmpty(references);
        Assert.DoesNotContain(references, r => r.Contains("Weft.Control", StringComparison.OrdinalIgnoreCase));
    }

    [Theory]
    [InlineData("Weft.Api")]
    [InlineData("Weft.Xds")]
    public void Foundation_projects_reference_nothing_of_weft(string name)
    {
        var project = XDocument.Load(Path.Combine(RepositoryRoot(), "src", name, name + ".csproj"));
        Assert.Empty(project.Descendants("ProjectReference"));
    }

    /// <summary>Every Weft assembly reachable from <paramref name="assembly"/> through references.</summary>
    private static IEnumerable<AssemblyName> Closure(Assembly assembly)
    {
        var seen = new Dictionary<string, AssemblyName>(StringComparer.Ordinal);
        var queue = new Queue<Assembly>([assembly]);
        while (queue.Count > 0)
        {
            foreach (var reference in queue.Dequeue().GetReferencedAssemblies())
            {
                if (reference.Name is { } n && n.StartsWith("Weft.", StringComparison.Ordinal) && seen.TryAdd(n, reference))
                {
                    queue.Enqueue(Assembly.Load(reference));
                }
            }
        }

        return seen.Values;
    }

    private static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Weft.slnx")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("repository root not found");
    }
}
