using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using MailDns.Core.Api;
using MailDns.Core.Validation;
using MailDns.Operator.Manifests;

namespace MailDns.Operator.Tests.Schema;

/// <summary>
/// CEL rules run only on a real API server; manifests on disk and the operator's own checks never meet them. So
/// every CEL rule carries a [code] in its message, and the semantic validators must raise that code for an
/// object that breaks the rule. This test fails when a rule is added to a CRD without its twin in C#.
/// </summary>
public partial class CelRuleTests
{
    [GeneratedRegex("\\[([a-z0-9.-]+)\\]$")]
    private static partial Regex CodeInMessage();

    private static readonly Dictionary<string, Func<IEnumerable<string>>> Violations = new()
    {
        ["dkim.size-not-rsa"] = () =>
            SendingDomainValidator
                .Validate(
                    new SendingDomain
                    {
                        Metadata = new() { Name = "x" },
                        Spec = new SendingDomainSpec
                        {
                            Domain = "mail.example.com",
                            ProviderRef = new() { Name = "p" },
                            Dkim = new DkimSpec
                            {
                                Series =
                                [
                                    new DkimSeriesSpec
                                    {
                                        Algorithm = "ed25519-sha256",
                                        Size = 2048,
                                        SelectorPrefix = "ed",
                                    },
                                ],
                            },
                        },
                    }
                )
                .Select(f => f.Code),
        ["provider.exactly-one-kind"] = () =>
            DnsProviderValidator.Validate("p", new DnsProviderSpec { Zone = "example.com" }, false).Select(f => f.Code),
        ["provider.secret-namespace-required"] = () =>
            DnsProviderValidator
                .Validate(
                    "p",
                    new DnsProviderSpec
                    {
                        Zone = "example.com",
                        Pulumi = new PulumiProviderSpec
                        {
                            Package = "cloudflare",
                            CredentialsSecretRef = new SecretRef { Name = "creds" },
                        },
                    },
                    true
                )
                .Select(f => f.Code),
    };

    [Fact]
    public void Every_cel_rule_names_a_code_that_the_semantic_validators_raise()
    {
        var codes = CrdSchemas.Embedded.Kinds.SelectMany(k => Rules(CrdSchemas.Embedded.OpenApiSchema(k))).ToList();
        Assert.NotEmpty(codes);

        foreach (var (rule, message) in codes)
        {
            var match = CodeInMessage().Match(message);
            Assert.True(match.Success, $"CEL rule '{rule}' has no [code] at the end of its message");
            var code = match.Groups[1].Value;
            Assert.True(Violations.ContainsKey(code), $"no semantic twin registered for CEL rule [{code}]");
            Assert.Contains(code, Violations[code]());
        }
    }

    private static IEnumerable<(string Rule, string Message)> Rules(JsonNode? node)
    {
        if (node is JsonObject obj)
        {
            if (obj["x-kubernetes-validations"] is JsonArray rules)
            {
                foreach (var r in rules)
                {
                    yield return ((string)r!["rule"]!, (string)r["message"]!);
                }
            }

            foreach (var (_, child) in obj)
            {
                foreach (var r in Rules(child))
                {
                    yield return r;
                }
            }
        }
        else if (node is JsonArray array)
        {
            foreach (var child in array)
            {
                foreach (var r in Rules(child))
                {
                    yield return r;
                }
            }
        }
    }
}
