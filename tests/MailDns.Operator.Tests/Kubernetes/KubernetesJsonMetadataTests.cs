using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using k8s;
using k8s.Models;
using MailDns.Operator.Kubernetes;
using MailDns.Testing;

namespace MailDns.Operator.Tests.Kubernetes;

/// <summary>The operator's KubernetesClient serializer describes types by reflection: the same JSON as the library's own.</summary>
public class KubernetesJsonMetadataTests
{
    /// <summary>The library's options as shipped: its source-generated context first, reflection for the rest.</summary>
    private static JsonSerializerOptions AsShipped()
    {
        JsonSerializerOptions? library = null;
        KubernetesJson.AddJsonOptions(o => library = o);
        var generated = (IJsonTypeInfoResolver)
            Type.GetType("k8s.SourceGenerationContext, KubernetesClient", throwOnError: true)!.GetProperty("Default")!.GetValue(null)!;
        return new JsonSerializerOptions(library!)
        {
            TypeInfoResolver = JsonTypeInfoResolver.Combine(generated, new DefaultJsonTypeInfoResolver()),
        };
    }

    private static JsonSerializerOptions WithReflection()
    {
        var options = new JsonSerializerOptions(AsShipped());
        KubernetesJsonMetadata.UseReflection(options);
        return options;
    }

    public static TheoryData<string, object> Objects() =>
        new()
        {
            {
                "a key Secret (bytes as base64)",
                new V1Secret
                {
                    ApiVersion = "v1",
                    Kind = "Secret",
                    Metadata = new V1ObjectMeta
                    {
                        Name = "example-org-dkim",
                        NamespaceProperty = "mail",
                        Labels = new Dictionary<string, string> { ["maildns.io/domain"] = "example.org" },
                        CreationTimestamp = new DateTime(2026, 12, 7, 1, 2, 3, DateTimeKind.Utc),
                    },
                    Type = "Opaque",
                    Data = new Dictionary<string, byte[]> { ["state"] = Encoding.UTF8.GetBytes("{\"keys\":[]}") },
                }
            },
            {
                "an event (micro-time)",
                new Eventsv1Event
                {
                    ApiVersion = "events.k8s.io/v1",
                    Kind = "Event",
                    Metadata = new V1ObjectMeta { GenerateName = "example-org." },
                    EventTime = new DateTime(2026, 12, 7, 1, 2, 3, 456, DateTimeKind.Utc).AddTicks(7890),
                    Reason = "Published",
                    Note = "3 record(s) published",
                    Type = "Normal",
                    Action = "Publish",
                    ReportingController = "maildns.io/operator",
                    ReportingInstance = "maildns-0",
                    Regarding = new V1ObjectReference { Kind = "SendingDomain", Name = "example-org", NamespaceProperty = "mail" },
                }
            },
            {
                "a lease",
                new V1Lease
                {
                    Metadata = new V1ObjectMeta { Name = "maildns-operator", NamespaceProperty = "mail" },
                    Spec = new V1LeaseSpec
                    {
                        HolderIdentity = "maildns-0",
                        LeaseDurationSeconds = 15,
                        AcquireTime = new DateTime(2026, 12, 7, 1, 2, 3, DateTimeKind.Utc),
                        RenewTime = new DateTime(2026, 12, 7, 1, 2, 3, 500, DateTimeKind.Utc),
                    },
                }
            },
            {
                "a service (int-or-string, quantities)",
                new V1Service
                {
                    Spec = new V1ServiceSpec { Ports = [new V1ServicePort { Port = 8080, TargetPort = "metrics" }] },
                }
            },
            { "a SendingDomain", Specs.Valid() },
        };

    [Theory]
    [MemberData(nameof(Objects))]
    public void Reflection_writes_what_the_library_s_generated_metadata_writes(string what, object value)
    {
        var shipped = JsonSerializer.Serialize(value, value.GetType(), AsShipped());

        var written = JsonSerializer.Serialize(value, value.GetType(), WithReflection());

        Assert.True(shipped == written, $"{what}:\n{shipped}\n{written}");
        var back = JsonSerializer.Deserialize(written, value.GetType(), WithReflection())!;
        Assert.Equal(shipped, JsonSerializer.Serialize(back, value.GetType(), AsShipped()));
    }

    [Fact]
    public void Unlocked_options_switch_to_reflection()
    {
        var options = new JsonSerializerOptions(AsShipped());

        KubernetesJsonMetadata.UseReflection(options);

        Assert.IsType<DefaultJsonTypeInfoResolver>(options.TypeInfoResolver);
    }

    [Fact]
    public void Options_already_in_use_are_left_as_they_are()
    {
        var options = AsShipped();
        options.MakeReadOnly();
        var before = options.TypeInfoResolver;

        KubernetesJsonMetadata.UseReflection(options);

        Assert.Same(before, options.TypeInfoResolver);
    }
}
