using System.Net;
using MailDns.Core.Api;
using MailDns.Core.Names;
using MailDns.Operator.Health;
using MailDns.Operator.Publishing;

namespace MailDns.Operator.Reconcile;

/// <summary>The record store for a provider: zone files under a data directory, RFC 2136 with its TSIG secret.</summary>
public sealed class ProviderStores(string zoneDir, Func<string, string, string, string?> secretValue)
{
    public (IRecordStore Store, string Name) For(SendingDomain domain, DnsProviderSpec provider)
    {
        if (provider.ZoneFile is { } zoneFile)
        {
            // Relative paths live in the data directory, so a run never writes into the manifests' checkout.
            var path = Path.IsPathRooted(zoneFile.Path) ? zoneFile.Path : Path.Combine(zoneDir, zoneFile.Path);
            return (new ZoneFileStore(path, provider.Zone), path);
        }

        if (provider.Rfc2136 is { } rfc)
        {
            if (!HostPort.TryParse(rfc.Server, 53, out var host, out var port))
            {
                throw new ReconcileException("InvalidSpec", $"rfc2136.server '{rfc.Server}' is not host or host:port");
            }

            var address = IPAddress.TryParse(host, out var ip) ? ip : System.Net.Dns.GetHostAddresses(host).FirstOrDefault()
                ?? throw new ReconcileException("ProviderUnreachable", $"rfc2136.server '{rfc.Server}' does not resolve");
            var ns = rfc.TsigSecretRef.Namespace ?? domain.Metadata.NamespaceProperty ?? "default";
            var secret = secretValue(ns, rfc.TsigSecretRef.Name, rfc.TsigSecretRef.Key)
                ?? throw new ReconcileException("SecretNotFound", $"rfc2136.tsigSecretRef: key '{rfc.TsigSecretRef.Key}' of Secret {ns}/{rfc.TsigSecretRef.Name} was not found");
            byte[] key;
            try
            {
                key = Convert.FromBase64String(secret);
            }
            catch (FormatException)
            {
                throw new ReconcileException("InvalidSecret", $"rfc2136.tsigSecretRef: Secret {ns}/{rfc.TsigSecretRef.Name} key '{rfc.TsigSecretRef.Key}' is not a base64 TSIG secret");
            }

            var endpoint = new IPEndPoint(address, port);
            return (new Rfc2136Store(endpoint, provider.Zone, new TsigKey(rfc.TsigKeyName, rfc.TsigAlgorithm ?? "hmac-sha256", key), new DnsClientQuery()), endpoint.ToString());
        }

        throw new ReconcileException("ProviderUnsupported", "pulumi providers are published through the rendered program (maildns render) for now; zoneFile and rfc2136 are published directly");
    }
}
