using System.Collections;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace MailDns.Operator.Kubernetes;

/// <summary>
/// Makes an object just read from the API server cheaper to keep in a cache: every string it holds, at any depth,
/// becomes the <see cref="SharedStrings"/> instance of its value, and lists of strings lose their spare capacity
/// (a one-element list read from JSON keeps room for four). The object stays equal to what was read: only which
/// instances hold the values changes. The walk follows what System.Text.Json sees (the properties it reads and
/// writes), so it reaches exactly the fields that came from the JSON, in the trimmed image as in the tests.
/// </summary>
public static class CompactObjects
{
    // Reflection-based metadata over the same public properties KubernetesJson reads; only the accessors are used. Read-only,
    // so each type's metadata is built once and cached (an unlocked options instance built it again on every call: 0.7 ms
    // for each domain).
    private static readonly JsonSerializerOptions Shape = ReadOnly(new() { TypeInfoResolver = new DefaultJsonTypeInfoResolver() });

    private static JsonSerializerOptions ReadOnly(JsonSerializerOptions options)
    {
        options.MakeReadOnly();
        return options;
    }

    public static T Compact<T>(T item, SharedStrings strings)
        where T : class
    {
        Walk(item, strings);
        return item;
    }

    private static void Walk(object value, SharedStrings strings)
    {
        var info = Shape.GetTypeInfo(value.GetType());
        switch (info.Kind)
        {
            case JsonTypeInfoKind.Object:
                foreach (var property in info.Properties)
                {
                    // Only what reading JSON can set: a get-only property is computed (SendingDomain.Key), not read.
                    if (property.Get is null || property.Set is null || property.PropertyType.IsValueType)
                    {
                        continue;
                    }

                    switch (property.Get(value))
                    {
                        case string text:
                            property.Set(value, strings.Share(text));
                            break;
                        case IDictionary<string, string> map:
                            property.Set(value, Shared(map, strings));
                            break;
                        case { } inner:
                            Walk(inner, strings);
                            break;
                    }
                }

                break;
            case JsonTypeInfoKind.Enumerable when value is List<string> or string[]:
                var texts = (IList<string>)value;
                for (var i = 0; i < texts.Count; i++)
                {
                    texts[i] = texts[i] is { } text ? strings.Share(text) : texts[i];
                }

                (value as List<string>)?.TrimExcess();
                break;
            case JsonTypeInfoKind.Enumerable when value is IEnumerable items:
                foreach (var item in items)
                {
                    if (item is not null and not string && !item.GetType().IsValueType)
                    {
                        Walk(item, strings);
                    }
                }

                break;
        }
    }

    /// <summary>A copy of a string map (labels, annotations) with shared keys and values: a key cannot be swapped in place.</summary>
    private static Dictionary<string, string> Shared(IDictionary<string, string> map, SharedStrings strings)
    {
        var shared = new Dictionary<string, string>(map.Count, StringComparer.Ordinal);
        foreach (var (key, text) in map)
        {
            shared[strings.Share(key)] = text is null ? text! : strings.Share(text);
        }

        return shared;
    }
}
