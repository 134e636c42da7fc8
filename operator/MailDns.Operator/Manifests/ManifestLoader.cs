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

    public static IReadOnlyList<ManifestDocument> Load(IEnumerable<string> paths) =>
        ExpandPaths(paths).SelectMany(f => Parse(f, File.ReadAllText(f))).ToList();

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
