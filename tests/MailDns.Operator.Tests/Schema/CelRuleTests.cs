using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using MailDns.Operator.Manifests;

namespace MailDns.Operator.Tests.Schema;

/// <summary>
/// The CRDs' CEL rules are written once, in the CRDs, and evaluated by CrdRules both in `maildns validate` and in the
/// test API server. Every rule ends its message with a [code]; for each, a manifest that breaks it gets that finding
/// from validate, at the field, so a rule added to a CRD is checked on disk as on a cluster.
/// </summary>
public partial class CelRuleTests
{
    [GeneratedRegex("\\[([a-z0-9.-]+)\\]$")]
    private static partial Regex CodeInMessage();

    private const string Head = "apiVersion: maildns.io/v1alpha1\n";

    /// <summary>One manifest per rule that breaks it and nothing else, with the field the finding must name.</summary>
    private static readonly Dictionary<string, (string Yaml, string Path)> Breaking = new()
    {
        ["dkim.size-not-rsa"] = (
            Head
                + "kind: SendingDomain\nmetadata: {name: x, namespace: mail}\nspec:\n  domain: mail.example.com\n  providerRef: {name: p}\n"
                + "  dkim: {series: [{algorithm: ed25519-sha256, size: 2048, selectorPrefix: ed}]}\n",
            "spec.dkim.series[0].size"
        ),
        ["provider.exactly-one-kind"] = (
            Head + "kind: DnsProvider\nmetadata: {name: p, namespace: mail}\nspec: {zone: example.com}\n",
            "spec"
        ),
        ["provider.secret-namespace-required"] = (
            Head
                + "kind: ClusterDnsProvider\nmetadata: {name: p}\nspec:\n  zone: example.com\n"
                + "  pulumi: {package: cloudflare, credentialsSecretRef: {name: creds}}\n",
            "spec"
        ),
        ["dmarc.rollout-owns-testing"] = (
            Head
                + "kind: SendingDomain\nmetadata: {name: x, namespace: mail}\nspec:\n  domain: mail.example.com\n  providerRef: {name: p}\n"
                + "  dmarc: {policy: none, testing: true, rollout: {target: reject}}\n",
            "spec.dmarc"
        ),
        ["mtasts.id-or-mode"] = (
            Head
                + "kind: SendingDomain\nmetadata: {name: x, namespace: mail}\nspec:\n  domain: mail.example.com\n  providerRef: {name: p}\n"
                + "  mtaSts: {id: abc, mode: enforce}\n",
            "spec.mtaSts"
        ),
        ["reportsource.folders-differ"] = (
            Head
                + "kind: ReportSource\nmetadata: {name: r, namespace: mail}\nspec:\n"
                + "  imap: {host: imap.example.com, credentialsSecretRef: {name: c}, folder: INBOX, archiveFolder: INBOX}\n",
            "spec.imap"
        ),
    };

    [Fact]
    public void Every_cel_rule_has_a_code_and_validate_raises_it_for_a_manifest_that_breaks_it()
    {
        var rules = CrdSchemas.Embedded.Kinds.SelectMany(k => Rules(CrdSchemas.Embedded.OpenApiSchema(k))).ToList();
        Assert.NotEmpty(rules);

        foreach (var (rule, message) in rules)
        {
            var match = CodeInMessage().Match(message);
            Assert.True(match.Success, $"CEL rule '{rule}' has no [code] at the end of its message");
            var code = match.Groups[1].Value;
            if (rule.Contains("oldSelf", StringComparison.Ordinal))
            {
                continue; // a transition rule needs an old object: TestApiServer.Tests changes a stored one
            }

            Assert.True(Breaking.ContainsKey(code), $"no breaking manifest registered for CEL rule [{code}]");
            var (yaml, path) = Breaking[code];
            var findings = ManifestValidation.Default.Validate(ManifestLoader.Parse("x.yaml", yaml)).SelectMany(v => v.Findings).ToList();
            Assert.Contains(findings, f => f.Code == code && f.Path == path);
        }
    }

    private static IEnumerable<(string Rule, string Message)> Rules(JsonNode? node) =>
        node switch
        {
            JsonObject obj => (obj["x-kubernetes-validations"] as JsonArray ?? [])
                .Select(r => ((string)r!["rule"]!, ((string)r["message"]!).Trim()))
                .Concat(obj.SelectMany(p => Rules(p.Value))),
            JsonArray array => array.SelectMany(Rules),
            _ => [],
        };
}
