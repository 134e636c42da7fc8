using System.Text.Json.Nodes;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace MailDns.Operator.Manifests;

/// <summary>Reads every YAML (or JSON) document under the given files and directories, recursively.</summary>
public static class ManifestLoader
{
    private static readonly string[] Extensions = [".yaml", ".yml", ".json"];

    /// <summary>Expands directories into their manifest files, sorted; throws FileNotFoundException for a missing path.</summary>
    public static IReadOnlyList<string> ExpandPaths(IEnumerable<string> paths)
    {
        var files = new List<string>();
        foreach (var path in paths)
        {
            if (Directory.Exists(path))
            {
                files.AddRange(
                    Directory
                        .EnumerateFiles(path, "*", SearchOption.AllDirectories)
                        .Where(f => Extensions.Contains(Path.GetExtension(f), StringComparer.OrdinalIgnoreCase))
                        .Where(f =>
                            !f.Split(Path.DirectorySeparatorChar).Any(part => part.StartsWith('.') && part.Length > 1 && part != "..")
                        )
                        .Order(StringComparer.Ordinal)
                );
            }
            else if (File.Exists(path))
            {
                files.Add(path);
            }
            else
            {
                throw new FileNotFoundException($"no such file or directory: {path}", path);
            }
        }

        return files;
    }

    /// <summary>
    /// Every document of the given files, and of the manifest files under the given directories: a file found in a
    /// directory whose documents all lack both apiVersion and kind (a Prometheus rules file, a Grafana dashboard) is no
    /// Kubernetes manifest and is left out; a file named on its own is always read, and such a document is an error.
    /// </summary>
    public static IReadOnlyList<ManifestDocument> Load(IEnumerable<string> paths)
    {
        var named = paths.Where(File.Exists).Select(Path.GetFullPath).ToHashSet(StringComparer.Ordinal);
        return ExpandPaths(paths)
            .SelectMany(f =>
            {
                var docs = Parse(f, File.ReadAllText(f));
                var foreign =
                    docs.Count > 0 && docs.All(d => d.Json is { } json && !json.ContainsKey("apiVersion") && !json.ContainsKey("kind"));
                return foreign && !named.Contains(Path.GetFullPath(f)) ? [] : docs;
            })
            .ToList();
    }

    public static IReadOnlyList<ManifestDocument> Parse(string file, string text)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException e)
        {
            return
            [
                new ManifestDocument(
                    file,
                    0,
                    (int)e.Start.Line,
                    null,
                    $"YAML syntax error at line {e.Start.Line}, column {e.Start.Column}: {e.InnerException?.Message ?? e.Message}"
                ),
            ];
        }

        var docs = new List<ManifestDocument>();
        for (var i = 0; i < stream.Documents.Count; i++)
        {
            var root = stream.Documents[i].RootNode;
            var line = (int)root.Start.Line;
            var json = YamlToJson.Convert(root);
            if (json is null)
            {
                continue; // an empty document (a stray '---')
            }

            docs.Add(
                json is JsonObject obj
                    ? new ManifestDocument(file, i, line, obj, null) { Lines = YamlToJson.Lines(root) }
                    : new ManifestDocument(
                        file,
                        i,
                        line,
                        null,
                        $"document {i + 1} at line {line} is not a mapping (apiVersion, kind, metadata, spec)"
                    )
            );
        }

        return docs;
    }
}
