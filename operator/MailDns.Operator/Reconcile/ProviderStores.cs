using System.Net;
using MailDns.Core.Api;
using MailDns.Core.Names;
using MailDns.Core.Publishing.Pulumi;
using MailDns.Core.Readiness;
using MailDns.Operator.Dns;
using MailDns.Operator.Publishing;
using MailDns.Operator.Publishing.Pulumi;

namespace MailDns.Operator.Reconcile;

/// <summary>A Secret's data by key, decoded, or null when the Secret does not exist.</summary>
public delegate IReadOnlyDictionary<string, string>? SecretReader(string ns, string name);

/// <summary>
/// The record store for a provider: zone files under a data directory, RFC 2136 with its TSIG secret, and Pulumi
/// stacks (when the caller runs them) with the credentials and passphrase from their Secrets.
/// </summary>
public sealed class ProviderStores(string dataDir, SecretReader secrets, PulumiStacks? pulumi = null)
{
    public (IRecordStore Store, string Name) For(SendingDomain domain, DnsProviderSpec provider)
    {
        var domainNamespace = domain.Metadata.NamespaceProperty ?? "default";
        if (provider.ZoneFile is { } zoneFile)
        {
            // Relative paths live in the data directory, so a run never writes into the manifests' checkout.
            var path = Path.IsPathRooted(zoneFile.Path) ? zoneFile.Path : Path.Combine(dataDir, "zones", zoneFile.Path);
            return (new ZoneFileStore(path, provider.Zone), path);
        }

        if (provider.Rfc2136 is { } rfc)
        {
            if (!HostPort.TryParse(rfc.Server, 53, out var host, out var port))
            {
                throw new ReconcileException(ConditionReasons.InvalidSpec, $"rfc2136.server '{rfc.Server}' is not host or host:port");
            }

            var address = IPAddress.TryParse(host, out var ip)
                ? ip
                : System.Net.Dns.GetHostAddresses(host).FirstOrDefault()
                    ?? throw new ReconcileException(
                        ConditionReasons.ProviderUnreachable,
                        $"rfc2136.server '{rfc.Server}' does not resolve"
                    );
            var secret = Value(rfc.TsigSecretRef, domainNamespace, "rfc2136.tsigSecretRef");
            byte[] key;
            try
            {
                key = Convert.FromBase64String(secret);
            }
            catch (FormatException)
            {
                throw new ReconcileException(
                    ConditionReasons.InvalidSecret,
                    $"rfc2136.tsigSecretRef: Secret {rfc.TsigSecretRef.Namespace ?? domainNamespace}/{rfc.TsigSecretRef.Name} key "
                        + $"'{rfc.TsigSecretRef.Key}' is not a base64 TSIG secret"
                );
            }

            var endpoint = new IPEndPoint(address, port);
            return (
                new Rfc2136Store(
                    endpoint,
                    provider.Zone,
                    new TsigKey(rfc.TsigKeyName, rfc.TsigAlgorithm ?? Defaults.TsigAlgorithm, key),
                    new DnsClientQuery()
                ),
                endpoint.ToString()
            );
        }

        if (provider.Pulumi is { } spec)
        {
            if (pulumi is null)
            {
                throw new ReconcileException(
                    ConditionReasons.ProviderUnsupported,
                    "pulumi providers are published by the operator; standalone runs render their programs with `maildns render`"
                );
            }

            var name = PulumiStack.NameFor(domain, provider);
            var credentials = spec.CredentialsSecretRef is { } credentialsRef
                ? secrets(credentialsRef.Namespace ?? domainNamespace, credentialsRef.Name)
                    ?? throw new ReconcileException(
                        ConditionReasons.SecretNotFound,
                        $"pulumi.credentialsSecretRef: Secret {credentialsRef.Namespace ?? domainNamespace}/{credentialsRef.Name} was "
                            + $"not found"
                    )
                : new Dictionary<string, string>();
            var passphrase = spec.PassphraseSecretRef is { } passphraseRef
                ? Value(passphraseRef, domainNamespace, "pulumi.passphraseSecretRef")
                : "";
            var workspace = new PulumiWorkspace(
                Path.Combine(dataDir, "pulumi", name),
                name,
                spec.Backend ?? "file://" + Path.Combine(dataDir, "pulumi-state"),
                passphrase,
                credentials
            );
            var target = new PulumiStackTarget(
                name,
                spec.Package,
                provider.Zone,
                new Dictionary<string, string>(spec.Config ?? new Dictionary<string, string>(), StringComparer.Ordinal),
                workspace
            );
            return (pulumi.For(target), $"pulumi stack {name}");
        }

        throw new ReconcileException(ConditionReasons.InvalidSpec, "the provider sets none of pulumi, rfc2136 and zoneFile");
    }

    private string Value(SecretKeyRef reference, string domainNamespace, string field)
    {
        var ns = reference.Namespace ?? domainNamespace;
        return secrets(ns, reference.Name) is { } data && data.TryGetValue(reference.Key, out var value)
            ? value
            : throw new ReconcileException(
                ConditionReasons.SecretNotFound,
                $"{field}: key '{reference.Key}' of Secret {ns}/{reference.Name} was not found"
            );
    }
}
