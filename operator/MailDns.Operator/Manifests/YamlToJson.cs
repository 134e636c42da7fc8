using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace MailDns.Operator.Manifests;

/// <summary>
/// Converts YAML nodes to JSON the way kubectl does (sigs.k8s.io/yaml over go-yaml v2, YAML 1.1 scalars): plain
/// true/yes/on are booleans, plain digits are integers, quoted scalars are always strings. Getting this right
/// matters: failureOptions: ['0', '1'] must stay strings and ttl: 300 must be a number.
/// </summary>
public static partial class YamlToJson
{
    [GeneratedRegex("^[-+]?[0-9]+$")]
    private static partial Regex IntegerRegex();

    [GeneratedRegex("^[-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?$")]
    private static partial Regex FloatRegex();

    private static readonly HashSet<string> TrueWords = ["y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"];
    private static readonly HashSet<string> FalseWords = ["n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"];
    private static readonly HashSet<string> NullWords = ["", "~", "null", "Null", "NULL"];

    public static JsonNode? Convert(YamlNode node) =>
        node switch
        {
            YamlMappingNode map => ConvertMap(map),
            YamlSequenceNode seq => new JsonArray(seq.Children.Select(Convert).ToArray()),
            YamlScalarNode scalar => ConvertScalar(scalar),
            _ => null,
        };

    /// <summary>The line (1-based) of every field, keyed by the path findings use (spec.dkim.series[0].size).</summary>
    public static IReadOnlyDictionary<string, int> Lines(YamlNode root)
    {
        var lines = new Dictionary<string, int>(StringComparer.Ordinal);
        AddLines(root, "", lines);
        return lines;
    }

    private static void AddLines(YamlNode node, string path, Dictionary<string, int> lines)
    {
        if (node is YamlMappingNode map)
        {
            foreach (var (key, value) in map.Children)
            {
                var name = key is YamlScalarNode s ? s.Value ?? "" : key.ToString();
                var child = path.Length == 0 ? name : $"{path}.{name}";
                lines.TryAdd(child, (int)key.Start.Line);
                AddLines(value, child, lines);
            }
        }
        else if (node is YamlSequenceNode seq)
        {
            for (var i = 0; i < seq.Children.Count; i++)
            {
                lines.TryAdd($"{path}[{i}]", (int)seq.Children[i].Start.Line);
                AddLines(seq.Children[i], $"{path}[{i}]", lines);
            }
        }
    }

    private static JsonObject ConvertMap(YamlMappingNode map)
    {
        var obj = new JsonObject();
        foreach (var (key, value) in map.Children)
        {
            var name = key is YamlScalarNode s ? s.Value ?? "" : key.ToString();
            obj[name] = Convert(value);
        }

        return obj;
    }

    private static JsonNode? ConvertScalar(YamlScalarNode scalar)
    {
        var text = scalar.Value ?? "";
        if (scalar.Style != ScalarStyle.Plain || scalar.Tag == "tag:yaml.org,2002:str")
        {
            return JsonValue.Create(text);
        }

        if (NullWords.Contains(text))
        {
            return null;
        }

        if (TrueWords.Contains(text))
        {
            return JsonValue.Create(true);
        }

        if (FalseWords.Contains(text))
        {
            return JsonValue.Create(false);
        }

        if (IntegerRegex().IsMatch(text) && long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l))
        {
            return JsonValue.Create(l);
        }

        if (FloatRegex().IsMatch(text) && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d))
        {
            return JsonValue.Create(d);
        }

        return JsonValue.Create(text);
    }
}
