using MailDns.Core.Api;
using MailDns.Core.Findings;
using MailDns.Core.Names;

namespace MailDns.Core.Validation;

/// <summary>The rules a DnsProvider or ClusterDnsProvider must satisfy beyond its schema.</summary>
public static class DnsProviderValidator
{
    private static readonly string[] Packages = ["cloudflare", "aws", "gcp", "azure-native", "digitalocean", "dns"];
    private static readonly string[] SecretLikeWords =
    [
        "token",
        "secret",
        "password",
        "passphrase",
        "apikey",
        "api_key",
        "api-key",
        "accesskey",
        "access_key",
        "privatekey",
        "private_key",
        "credential",
    ];

    public static IReadOnlyList<Finding> Validate(string? name, DnsProviderSpec spec, bool clusterScoped)
    {
        var findings = new List<Finding>();
        MetadataRules.CheckName(name, findings);
        if (string.IsNullOrEmpty(spec.Zone) || !DomainName.IsValidDnsName(spec.Zone) || spec.Zone != DomainName.Normalize(spec.Zone))
        {
            findings.Add(
                Finding.Error(
                    "provider.invalid-zone",
                    $"zone '{spec.Zone}' must be a lower-case domain name without a trailing dot",
                    "spec.zone"
                )
            );
        }

        // Exactly one kind, and a ClusterDnsProvider's Secret namespaces, are the CRDs' CEL rules, evaluated by CrdRules.
        if (spec.Pulumi is { } pulumi)
        {
            if (!Packages.Contains(pulumi.Package))
            {
                findings.Add(
                    Finding.Error(
                        "provider.pulumi-package",
                        $"package '{pulumi.Package}' must be one of {string.Join(", ", Packages)}",
                        "spec.pulumi.package"
                    )
                );
            }

            foreach (var key in (pulumi.Config ?? new Dictionary<string, string>()).Keys)
            {
                var lower = key.ToLowerInvariant();
                if (SecretLikeWords.Any(w => lower.Contains(w, StringComparison.Ordinal)))
                {
                    findings.Add(
                        Finding.Error(
                            "provider.credentials-in-config",
                            $"config key '{key}' looks like a credential; config is not secret and ends up in the Pulumi program: put it "
                                + $"in the Secret named by credentialsSecretRef",
                            $"spec.pulumi.config.{key}"
                        )
                    );
                }
            }

            // The Terraform dns provider checks key name, algorithm and secret as a set before it reads the
            // environment: the two that are not secret must be in config (the secret comes from the Secret).
            var config = pulumi.Config ?? new Dictionary<string, string>();
            foreach (var required in pulumi.Package == "dns" ? new[] { "server", "keyName", "keyAlgorithm" } : [])
            {
                if (!config.TryGetValue(required, out var value) || string.IsNullOrWhiteSpace(value))
                {
                    findings.Add(
                        Finding.Error(
                            "provider.dns-update-config",
                            $"the dns package needs config.{required} (server, keyName and keyAlgorithm, with DNS_UPDATE_KEYSECRET in the "
                                + "credentials Secret)",
                            $"spec.pulumi.config.{required}"
                        )
                    );
                }
            }
        }

        if (spec.Rfc2136 is { } rfc)
        {
            if (!HostPort.TryParse(rfc.Server ?? "", 53, out _, out _))
            {
                findings.Add(
                    Finding.Error(
                        "provider.rfc2136-server",
                        $"server '{rfc.Server}' is not host, host:port or [ipv6]:port",
                        "spec.rfc2136.server"
                    )
                );
            }

            if (rfc.TsigAlgorithm is not (null or Defaults.TsigAlgorithm or "hmac-sha512"))
            {
                findings.Add(
                    Finding.Error(
                        "provider.tsig-algorithm",
                        $"tsigAlgorithm '{rfc.TsigAlgorithm}' must be hmac-sha256 or hmac-sha512",
                        "spec.rfc2136.tsigAlgorithm"
                    )
                );
            }

            if (string.IsNullOrEmpty(rfc.TsigKeyName))
            {
                findings.Add(Finding.Error("provider.tsig-key-name", "tsigKeyName is required", "spec.rfc2136.tsigKeyName"));
            }

            if (string.IsNullOrEmpty(rfc.TsigSecretRef?.Name) || string.IsNullOrEmpty(rfc.TsigSecretRef?.Key))
            {
                findings.Add(Finding.Error("provider.tsig-secret", "tsigSecretRef needs name and key", "spec.rfc2136.tsigSecretRef"));
            }
        }

        if (spec.ZoneFile is { } zoneFile && string.IsNullOrWhiteSpace(zoneFile.Path))
        {
            findings.Add(Finding.Error("provider.zone-file-path", "zoneFile.path is required", "spec.zoneFile.path"));
        }

        return findings;
    }
}
