using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using k8s;

namespace MailDns.Operator.Kubernetes;

/// <summary>
/// Has KubernetesClient's serializer describe types by reflection alone. Its default resolver asks the library's
/// source-generated context first, whose lookup compares the requested type with each of its ~1,000 model types in
/// turn: every lookup of a type outside it (ours: SendingDomain, its status, patches) runs to the end of that list
/// and loads every model type of the library. The idle operator held 857 of them, and 7.9 MB of the library's
/// metadata resident; with reflection, 16. Reflection reads the same attributes (property names, converters) the
/// generated code was built from.
/// </summary>
public static class KubernetesJsonMetadata
{
    /// <summary>Call before the first (de)serialization: the library's options become read-only on first use.</summary>
    public static void UseReflection() => KubernetesJson.AddJsonOptions(UseReflection);

    /// <summary>Options already in use (read-only) are left as they are: they serialize the same, only less cheaply.</summary>
    public static void UseReflection(JsonSerializerOptions options)
    {
        if (!options.IsReadOnly && options.TypeInfoResolver is not DefaultJsonTypeInfoResolver)
        {
            options.TypeInfoResolver = new DefaultJsonTypeInfoResolver();
        }
    }
}
