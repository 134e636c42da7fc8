using System.Globalization;
using System.Text;
using System.Text.Json;

namespace MailDns.Core.Publishing.Pulumi;

/// <summary>
/// A small YAML writer for Pulumi programs: block mappings and sequences in insertion order, every string as a
/// JSON-escaped double-quoted scalar (valid YAML), so values with colons, quotes or '#' can never change meaning,
/// and the same input always gives the same bytes.
/// </summary>
public static class PulumiYaml
{
    /// <summary>A Pulumi YAML interpolation such as <c>${provider}</c>, written as it is.</summary>
    public sealed record Expression(string Text);

    public static string Write(IReadOnlyList<KeyValuePair<string, object?>> document)
    {
        var sb = new StringBuilder();
        WriteMapping(sb, document, 0);
        return sb.ToString();
    }

    private static void WriteMapping(StringBuilder sb, IEnumerable<KeyValuePair<string, object?>> map, int indent)
    {
        foreach (var (key, value) in map)
        {
            sb.Append(' ', indent).Append(Key(key)).Append(':');
            WriteValue(sb, value, indent);
        }
    }

    private static void WriteValue(StringBuilder sb, object? value, int indent)
    {
        switch (value)
        {
            case IReadOnlyList<KeyValuePair<string, object?>> { Count: 0 }:
                sb.Append(" {}\n");
                break;
            case IReadOnlyList<KeyValuePair<string, object?>> map:
                sb.Append('\n');
                WriteMapping(sb, map, indent + 2);
                break;
            case IReadOnlyList<object?> { Count: 0 }:
                sb.Append(" []\n");
                break;
            case IReadOnlyList<object?> list:
                sb.Append('\n');
                foreach (var item in list)
                {
                    sb.Append(' ', indent + 2).Append('-');
                    if (item is IReadOnlyList<KeyValuePair<string, object?>> itemMap && itemMap.Count > 0)
                    {
                        sb.Append(' ');
                        var first = true;
                        foreach (var (key, v) in itemMap)
                        {
                            if (!first)
                            {
                                sb.Append(' ', indent + 4);
                            }

                            sb.Append(Key(key)).Append(':');
                            WriteValue(sb, v, indent + 4);
                            first = false;
                        }
                    }
                    else
                    {
                        WriteValue(sb, item, indent + 2);
                    }
                }

                break;
            default:
                sb.Append(' ').Append(Scalar(value)).Append('\n');
                break;
        }
    }

    private static string Key(string key) =>
        key.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or ':' or '/' or '.')
        && !key.Contains(": ", StringComparison.Ordinal)
        && !key.EndsWith(':')
            ? key
            : JsonSerializer.Serialize(key);

    private static string Scalar(object? value) =>
        value switch
        {
            null => "null",
            bool b => b ? "true" : "false",
            int i => i.ToString(CultureInfo.InvariantCulture),
            long l => l.ToString(CultureInfo.InvariantCulture),
            Expression e => JsonSerializer.Serialize(e.Text, Options),
            // Every other string is literal: "${" would start an interpolation, so it is escaped as "$${".
            string s => JsonSerializer.Serialize(s.Replace("${", "$${", StringComparison.Ordinal), Options),
            _ => JsonSerializer.Serialize(value.ToString(), Options),
        };

    private static readonly JsonSerializerOptions Options = new()
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };
}
