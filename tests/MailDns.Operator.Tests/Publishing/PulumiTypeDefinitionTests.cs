using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using MailDns.Core.Publishing.Pulumi;
using YamlDotNet.RepresentationModel;

namespace MailDns.Operator.Tests.Publishing;

/// <summary>
/// Every rendered program checked against the real type definitions of the provider version it pins, as published
/// to the npm registry (tests/install.sh fetches them into $MAILDNS_PULUMI_TYPES): the resource type token exists
/// (the module's <c>__pulumiType</c>), every input the program sets is declared in the resource's Args interface,
/// every required input (declared without <c>?</c>) is set, and the explicit provider's properties are ProviderArgs.
/// The Pulumi CLI cannot run here; this is what stands between a typo and a failed `pulumi up` in production.
/// </summary>
public partial class PulumiTypeDefinitionTests
{
    [GeneratedRegex("^    ([A-Za-z0-9_]+)(\\??):", RegexOptions.Multiline)]
    private static partial Regex InputLine();

    private static string TypesRoot =>
        Environment.GetEnvironmentVariable("MAILDNS_PULUMI_TYPES") is { Length: > 0 } dir ? dir : "/var/cache/maildns/pulumi-types";

    public static TheoryData<string, string> Pinned
    {
        get
        {
            var pinned = new TheoryData<string, string>();
            foreach (
                var row in PulumiProgramTests
                    .Packages.Select(r => (object[])r)
                    .Where(r => PulumiPackages.Versions.ContainsKey((string)r[0]))
            )
            {
                pinned.Add((string)row[0], (string)row[1]);
            }

            return pinned;
        }
    }

    [Fact]
    public void Every_package_but_the_terraform_bridge_is_pinned()
    {
        Assert.Equal(PulumiPackages.RecordTypes.Keys.Where(p => p != "dns").Order(), PulumiPackages.Versions.Keys.Order());
    }

    [Theory]
    [MemberData(nameof(Pinned))]
    public void The_program_uses_only_inputs_the_pinned_provider_declares_and_all_it_requires(string package, string config)
    {
        var version = PulumiPackages.Versions[package];
        var root = Path.Combine(TypesRoot, $"{package}-{version}", "package");
        Assert.True(
            Directory.Exists(root),
            $"{root} is missing: tests/install.sh fetches the type definitions of @pulumi/{package}@{version}"
        );
        Assert.Equal(version, (string?)JsonNode.Parse(File.ReadAllText(Path.Combine(root, "package.json")))!["version"]);
        var (program, _) = PulumiProgram.Render(PulumiProgramTests.Stack(package, config));
        var resources = Resources(program);

        var provider = resources["provider"];
        Assert.Equal($"pulumi:providers:{package}", provider.Type);
        Assert.Equal(version, provider.Version);
        var providerInputs = Inputs(Path.Combine(root, "provider.d.ts"), "ProviderArgs");
        Assert.All(provider.Properties, p => Assert.True(providerInputs.ContainsKey(p), $"{package} ProviderArgs has no '{p}'"));

        var token = PulumiPackages.RecordTypes[package];
        var module = Directory
            .EnumerateFiles(root, "*.js", SearchOption.AllDirectories)
            .SingleOrDefault(f => File.ReadAllText(f).Contains($"__pulumiType = '{token}'", StringComparison.Ordinal));
        Assert.True(module is not null, $"no module of @pulumi/{package}@{version} declares the type token {token}");
        var className = Regex.Match(File.ReadAllText(module!), "class (\\w+) extends pulumi\\.CustomResource").Groups[1].Value;
        var inputs = Inputs(Path.ChangeExtension(module, ".d.ts"), className + "Args");
        var records = resources.Values.Where(r => r.Type == token).ToList();
        Assert.NotEmpty(records);
        foreach (var record in records)
        {
            var unknown = record.Properties.Where(p => !inputs.ContainsKey(p)).ToList();
            var missing = inputs.Where(i => i.Value && !record.Properties.Contains(i.Key)).Select(i => i.Key).ToList();
            Assert.True(unknown.Count == 0, $"{token} has no input(s) {string.Join(", ", unknown)} in {package} {version}");
            Assert.True(missing.Count == 0, $"{token} requires {string.Join(", ", missing)} in {package} {version}");
        }
    }

    /// <summary>The inputs of one Args interface: name to required.</summary>
    private static Dictionary<string, bool> Inputs(string declarations, string interfaceName)
    {
        var text = File.ReadAllText(declarations);
        var start = text.IndexOf($"export interface {interfaceName} {{", StringComparison.Ordinal);
        Assert.True(start >= 0, $"{declarations} declares no {interfaceName}");
        var end = text.IndexOf("\n}", start, StringComparison.Ordinal);
        return InputLine().Matches(text[start..end]).ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value.Length == 0);
    }

    private sealed record Resource(string Type, IReadOnlyList<string> Properties, string? Version);

    private static Dictionary<string, Resource> Resources(string program)
    {
        var yaml = new YamlStream();
        yaml.Load(new StringReader(program));
        var resources = (YamlMappingNode)((YamlMappingNode)yaml.Documents[0].RootNode)["resources"];
        return resources.Children.ToDictionary(
            r => ((YamlScalarNode)r.Key).Value!,
            r =>
            {
                var body = (YamlMappingNode)r.Value;
                var properties = body.Children.TryGetValue("properties", out var p)
                    ? ((YamlMappingNode)p).Children.Keys.Select(k => ((YamlScalarNode)k).Value!).ToList()
                    : [];
                var version =
                    body.Children.TryGetValue("options", out var o) && ((YamlMappingNode)o).Children.TryGetValue("version", out var v)
                        ? ((YamlScalarNode)v).Value
                        : null;
                return new Resource(((YamlScalarNode)body["type"]).Value!, properties, version);
            }
        );
    }
}
