using System.Collections;
using System.Reflection;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using k8s.Models;
using MailDns.Core.Api;
using MailDns.Operator.Manifests;

namespace MailDns.Operator.Tests.Schema;

/// <summary>
/// The CRDs in crds/ are the schema's single source of truth; these tests keep the C# model in step with them:
/// the same fields, the same types, the same defaults.
/// </summary>
public class CrdModelConsistencyTests
{
    private static readonly CrdSchemas Crds = CrdSchemas.Embedded;

    public static TheoryData<string, Type, Type> Kinds =>
        new()
        {
            { SendingDomain.KindName, typeof(SendingDomainSpec), typeof(SendingDomainStatus) },
            { DnsProvider.KindName, typeof(DnsProviderSpec), typeof(DnsProviderStatus) },
            { ClusterDnsProvider.KindName, typeof(DnsProviderSpec), typeof(DnsProviderStatus) },
            { ReportSource.KindName, typeof(ReportSourceSpec), typeof(ReportSourceStatus) },
        };

    [Theory]
    [MemberData(nameof(Kinds))]
    public void The_model_types_have_exactly_the_fields_and_types_of_the_crd_schema(string kind, Type spec, Type status)
    {
        var schema = Crds.OpenApiSchema(kind);
        var problems = new List<string>();

        Compare((JsonObject)schema["properties"]!["spec"]!, spec, "spec", problems);
        Compare((JsonObject)schema["properties"]!["status"]!, status, "status", problems);

        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Every_field_of_the_schema_has_a_description_for_kubectl_explain(string kind, Type spec, Type status)
    {
        _ = (spec, status);
        var missing = new List<string>();

        Walk(Crds.OpenApiSchema(kind), "", (path, node) =>
        {
            if (string.IsNullOrWhiteSpace((string?)node["description"]))
            {
                missing.Add(path.Length == 0 ? "(root)" : path);
            }
        });

        Assert.Empty(missing);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void The_readme_api_reference_lists_every_field_of_the_schema(string kind, Type spec, Type status)
    {
        _ = (spec, status);
        var readme = File.ReadAllText(MailDns.Testing.Repo.PathOf("README.md"));
        var missing = new List<string>();

        Walk(Crds.OpenApiSchema(kind), "", (path, _) =>
        {
            if (
                (path.StartsWith("spec.", StringComparison.Ordinal) || path.StartsWith("status.", StringComparison.Ordinal))
                && !path.Contains("{}", StringComparison.Ordinal)
                && !path.EndsWith("[]", StringComparison.Ordinal)
                && !readme.Contains($"| `{path}` |", StringComparison.Ordinal)
            )
            {
                missing.Add(path);
            }
        });

        Assert.True(missing.Count == 0, "README.md lacks: " + string.Join(", ", missing));
    }

    [Fact]
    public void Namespaced_and_cluster_providers_share_one_spec_schema()
    {
        static JsonObject SpecWithoutRules(string kind)
        {
            var spec = (JsonObject)Crds.OpenApiSchema(kind)["properties"]!["spec"]!.DeepClone();
            spec.Remove("x-kubernetes-validations");
            return spec;
        }

        Assert.Equal(SpecWithoutRules(DnsProvider.KindName).ToJsonString(), SpecWithoutRules(ClusterDnsProvider.KindName).ToJsonString());
        Assert.Equal("Namespaced", (string?)Crds.Crd(DnsProvider.KindName)["spec"]!["scope"]);
        Assert.Equal("Cluster", (string?)Crds.Crd(ClusterDnsProvider.KindName)["spec"]!["scope"]);
    }

    public static TheoryData<string, string, object> SchemaDefaults =>
        new()
        {
            { SendingDomain.KindName, "spec.ttl", Defaults.Ttl },
            { SendingDomain.KindName, "spec.providerRef.kind", Defaults.ProviderKind },
            { SendingDomain.KindName, "spec.spf.all", Defaults.SpfAll },
            { SendingDomain.KindName, "spec.dkim.series[].algorithm", Defaults.DkimAlgorithm },
            { SendingDomain.KindName, "spec.dkim.rotation.interval", Defaults.RotationInterval },
            { SendingDomain.KindName, "spec.dkim.rotation.propagationDelay", Defaults.PropagationDelay },
            { SendingDomain.KindName, "spec.dkim.rotation.retireAfter", Defaults.RetireAfter },
            { SendingDomain.KindName, "spec.dkim.rotation.revokeFor", Defaults.RevokeFor },
            { SendingDomain.KindName, "spec.publish.mode", Defaults.PublishMode },
            { SendingDomain.KindName, "spec.healthCheck.schedule", Defaults.HealthSchedule },
            { SendingDomain.KindName, "spec.deletionPolicy", Defaults.DeletionPolicy },
            { SendingDomain.KindName, "spec.bimi.selector", Defaults.BimiSelector },
            { DnsProvider.KindName, "spec.rfc2136.tsigAlgorithm", Defaults.TsigAlgorithm },
            { SendingDomain.KindName, "spec.dmarc.rollout.minPassRate", Defaults.RolloutMinPassRate },
            { SendingDomain.KindName, "spec.dmarc.rollout.minMessages", Defaults.RolloutMinMessages },
            { SendingDomain.KindName, "spec.dmarc.rollout.window", Defaults.RolloutWindow },
            { SendingDomain.KindName, "spec.dmarc.rollout.stepAfter", Defaults.RolloutStepAfter },
            { SendingDomain.KindName, "spec.dmarc.rollout.rollback", Defaults.RolloutRollback ? "true" : "false" },
        };

    [Theory]
    [MemberData(nameof(SchemaDefaults))]
    public void Schema_defaults_are_the_defaults_the_core_applies_to_manifests_on_disk(string kind, string path, object expected)
    {
        JsonNode node = Crds.OpenApiSchema(kind);
        foreach (var part in path.Split('.'))
        {
            node = part.EndsWith("[]", StringComparison.Ordinal) ? node["properties"]![part[..^2]]!["items"]! : node["properties"]![part]!;
        }

        Assert.Equal(expected.ToString(), node["default"]!.ToString());
    }

    [Fact]
    public void The_default_key_series_is_the_rsa_2048_series_the_core_assumes()
    {
        var series = Crds.OpenApiSchema(SendingDomain.KindName)["properties"]!["spec"]!["properties"]!["dkim"]!["properties"]!["series"]![
            "default"
        ]!.AsArray();

        var only = Assert.Single(series)!;
        Assert.Equal(Defaults.DkimAlgorithm, (string?)only["algorithm"]);
        Assert.Equal(Defaults.SelectorPrefixFor(Defaults.DkimAlgorithm), (string?)only["selectorPrefix"]);
    }

    [Fact]
    public void The_sending_domain_crd_has_the_printer_columns_short_name_and_category_of_the_design()
    {
        var crd = Crds.Crd(SendingDomain.KindName);
        var columns = crd["spec"]!["versions"]![0]!["additionalPrinterColumns"]!.AsArray().Select(c => (string?)c!["name"]).ToList();

        Assert.Equal(
            ["Domain", "Ready", "Selector", "Next-Rotation", "Healthy", "DMARC", "DMARC-Pass", "Reputation", "Transport", "Age"],
            columns
        );
        Assert.Equal(["sd"], crd["spec"]!["names"]!["shortNames"]!.AsArray().Select(n => (string?)n));
        Assert.Equal(["mail", "maildns"], crd["spec"]!["names"]!["categories"]!.AsArray().Select(n => (string?)n));
        Assert.NotNull(crd["spec"]!["versions"]![0]!["subresources"]!["status"]);
    }

    private static void Walk(JsonObject node, string path, Action<string, JsonObject> visit)
    {
        visit(path, node);
        if (path == "metadata")
        {
            return;
        }

        if (node["properties"] is JsonObject props)
        {
            foreach (var (name, child) in props)
            {
                Walk((JsonObject)child!, path.Length == 0 ? name : $"{path}.{name}", visit);
            }
        }

        if (node["items"] is JsonObject items)
        {
            Walk(items, path + "[]", visit);
        }

        if (node["additionalProperties"] is JsonObject additional)
        {
            Walk(additional, path + "{}", visit);
        }
    }

    private static void Compare(JsonObject schema, Type type, string path, List<string> problems)
    {
        var schemaProps = ((JsonObject?)schema["properties"])?.ToDictionary(p => p.Key, p => (JsonObject)p.Value!) ?? [];
        var typeProps = type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Select(p => (Prop: p, Name: p.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name))
            .Where(p => p.Name is not null)
            .ToDictionary(p => p.Name!, p => p.Prop);

        foreach (var name in schemaProps.Keys.Except(typeProps.Keys))
        {
            problems.Add($"{path}.{name} is in the CRD but not in {type.Name}");
        }

        foreach (var name in typeProps.Keys.Except(schemaProps.Keys))
        {
            problems.Add($"{path}.{name} is in {type.Name} but not in the CRD");
        }

        foreach (var name in schemaProps.Keys.Intersect(typeProps.Keys))
        {
            CompareType(schemaProps[name], typeProps[name].PropertyType, $"{path}.{name}", problems);
        }
    }

    private static void CompareType(JsonObject schema, Type clr, string path, List<string> problems)
    {
        clr = Nullable.GetUnderlyingType(clr) ?? clr;
        var type = (string?)schema["type"];
        switch (type)
        {
            case "string":
                Expect(
                    clr == typeof(string)
                        || (clr == typeof(DateTimeOffset) && (string?)schema["format"] == "date-time")
                        || (clr == typeof(DateTime) && (string?)schema["format"] == "date-time")
                );
                break;
            case "integer":
                Expect(clr == typeof(int) || clr == typeof(long));
                if (clr == typeof(long) && (string?)schema["format"] != "int64")
                {
                    problems.Add($"{path}: a long needs format int64");
                }

                break;
            case "boolean":
                Expect(clr == typeof(bool));
                break;
            case "number":
                Expect(clr == typeof(double));
                break;
            case "array":
                var element = clr.IsGenericType && typeof(IEnumerable).IsAssignableFrom(clr) ? clr.GetGenericArguments()[0] : null;
                Expect(element is not null);
                if (element is not null)
                {
                    CompareType((JsonObject)schema["items"]!, element, path + "[]", problems);
                }

                break;
            case "object" when schema["additionalProperties"] is JsonObject values:
                var isMap =
                    clr.IsGenericType
                    && clr.GetGenericTypeDefinition() == typeof(IDictionary<,>)
                    && clr.GetGenericArguments()[0] == typeof(string);
                Expect(isMap);
                if (isMap)
                {
                    CompareType(values, clr.GetGenericArguments()[1], path + "{}", problems);
                }

                break;
            case "object":
                Expect(clr.IsClass && clr != typeof(string));
                if (clr.IsClass && clr != typeof(string))
                {
                    Compare(schema, clr, path, problems);
                }

                break;
            default:
                problems.Add($"{path}: schema type '{type}' is not handled");
                break;
        }

        void Expect(bool ok)
        {
            if (!ok)
            {
                problems.Add($"{path}: schema type {type} does not match {clr.Name}");
            }
        }
    }

    [Fact]
    public void Conditions_use_the_kubernetes_condition_type()
    {
        Assert.Equal(
            typeof(IList<V1Condition>),
            typeof(SendingDomainStatus).GetProperty(nameof(SendingDomainStatus.Conditions))!.PropertyType
        );
    }
}
