using System.Text.RegularExpressions;
using MailDns.Testing;

namespace MailDns.Operator.Tests.Architecture;

/// <summary>
/// The folders (namespaces) of each product project form a layered graph: no folder reaches, through any chain of
/// references, back to itself. A reference is a using directive, a fully qualified name, or a folder's name used
/// as a qualifier (<c>Health.HealthGatherer</c>, <c>Publishing.Pulumi.PulumiCli</c>) from inside the project's
/// namespace; each names the deepest folder it matches. A subfolder's use of its parent's types needs no using and
/// is not seen.
/// </summary>
public partial class FolderDependencyTests
{
    [Theory]
    [InlineData("MailDns.Core")]
    [InlineData("MailDns.Operator")]
    public void No_folder_depends_on_itself_through_other_folders(string project)
    {
        var graph = FolderGraph(project);

        var cycles = StronglyConnected(graph)
            .Where(c => c.Count > 1)
            .Select(c => string.Join(" <-> ", c.Order(StringComparer.Ordinal)))
            .ToList();

        Assert.True(graph.Count > 5, $"only {graph.Count} folders found in {project}");
        Assert.True(cycles.Count == 0, $"{project} has folder cycles: {string.Join("; ", cycles)}\n{Describe(graph)}");
    }

    [Fact]
    public void The_dependency_finder_sees_each_kind_of_reference()
    {
        var folders = new HashSet<string>(["Cli", "Health", "Publishing", "Publishing.Pulumi"], StringComparer.Ordinal);

        var found = References(
            "MailDns.Operator",
            "Publishing",
            """
            using MailDns.Operator.Cli;
            var a = new Health.DnsClientQuery();
            var b = MailDns.Operator.Publishing.X.Y;
            var c = Core.Health.HealthReport.Empty;
            var d = new Publishing.Pulumi.PulumiCli();
            """,
            folders
        );

        Assert.Equal(["Cli", "Health", "Publishing.Pulumi"], found.Order(StringComparer.Ordinal));
    }

    internal static Dictionary<string, HashSet<string>> FolderGraph(string project)
    {
        var root = Repo.PathOf("operator", project);
        var files = Directory
            .EnumerateFiles(root, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains("/obj/", StringComparison.Ordinal) && !f.Contains("/bin/", StringComparison.Ordinal))
            .ToList();
        var folders = files.Select(f => FolderOf(root, f)).Where(f => f.Length > 0).ToHashSet(StringComparer.Ordinal);
        folders.UnionWith(folders.SelectMany(Ancestors).ToList());
        var graph = folders.ToDictionary(f => f, _ => new HashSet<string>(StringComparer.Ordinal), StringComparer.Ordinal);
        foreach (var file in files)
        {
            var folder = FolderOf(root, file);
            if (folder.Length > 0)
            {
                graph[folder].UnionWith(References(project, folder, File.ReadAllText(file), folders));
            }
        }

        return graph;
    }

    internal static HashSet<string> References(string project, string folder, string source, IReadOnlySet<string> folders)
    {
        var found = new HashSet<string>(StringComparer.Ordinal);
        var qualified = Regex.Matches(source, $@"\b{Regex.Escape(project)}\.([A-Z]\w*(?:\.[A-Z]\w*)*)").Select(m => m.Groups[1].Value);
        var qualifiers = Qualifier().Matches(source).Select(m => m.Groups[1].Value);
        foreach (var name in qualified.Concat(qualifiers))
        {
            if (Deepest(name, folders) is { } target && target != folder)
            {
                found.Add(target);
            }
        }

        return found;
    }

    /// <summary>The folder as a namespace suffix ("Dkim.Storage"), or empty for the project's root.</summary>
    private static string FolderOf(string root, string file)
    {
        var directory = Path.GetDirectoryName(Path.GetRelativePath(root, file)) ?? "";
        return directory.Replace('/', '.');
    }

    private static IEnumerable<string> Ancestors(string folder)
    {
        for (var dot = folder.LastIndexOf('.'); dot > 0; dot = folder.LastIndexOf('.', dot - 1))
        {
            yield return folder[..dot];
        }
    }

    /// <summary>The deepest folder that is a dotted prefix of the name (Publishing.Pulumi for Publishing.Pulumi.PulumiCli).</summary>
    private static string? Deepest(string name, IReadOnlySet<string> folders)
    {
        for (var candidate = name; candidate.Length > 0; candidate = candidate.LastIndexOf('.') is var dot and > 0 ? candidate[..dot] : "")
        {
            if (folders.Contains(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    /// <summary>Tarjan's strongly connected components: each cycle's folders come out together.</summary>
    private static List<List<string>> StronglyConnected(Dictionary<string, HashSet<string>> graph)
    {
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        var low = new Dictionary<string, int>(StringComparer.Ordinal);
        var stack = new Stack<string>();
        var onStack = new HashSet<string>(StringComparer.Ordinal);
        var result = new List<List<string>>();
        void Visit(string v)
        {
            index[v] = low[v] = index.Count;
            stack.Push(v);
            onStack.Add(v);
            foreach (var w in graph.GetValueOrDefault(v) ?? [])
            {
                if (!index.ContainsKey(w))
                {
                    Visit(w);
                    low[v] = Math.Min(low[v], low[w]);
                }
                else if (onStack.Contains(w))
                {
                    low[v] = Math.Min(low[v], index[w]);
                }
            }

            if (low[v] == index[v])
            {
                var component = new List<string>();
                string w;
                do
                {
                    w = stack.Pop();
                    onStack.Remove(w);
                    component.Add(w);
                } while (w != v);
                result.Add(component);
            }
        }

        foreach (var v in graph.Keys.Order(StringComparer.Ordinal))
        {
            if (!index.ContainsKey(v))
            {
                Visit(v);
            }
        }

        return result;
    }

    private static string Describe(Dictionary<string, HashSet<string>> graph) =>
        string.Join(
            "\n",
            graph
                .OrderBy(p => p.Key, StringComparer.Ordinal)
                .Select(p => $"{p.Key} -> {string.Join(", ", p.Value.Order(StringComparer.Ordinal))}")
        );

    /// <summary>A dotted name not preceded by another qualifier (<c>Core.Health.X</c> is not the project's Health).</summary>
    [GeneratedRegex(@"(?<![\w.])([A-Z]\w*(?:\.[A-Z]\w*)+)")]
    private static partial Regex Qualifier();
}
