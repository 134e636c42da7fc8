using MailDns.Core.Api;

namespace MailDns.Testing;

/// <summary>
/// Builders of the objects tests create, typed rather than raw JSON: a valid SendingDomain to change one field at
/// a time, and providers.
/// </summary>
public static class Specs
{
    /// <summary>A valid SendingDomain that individual tests then break one field at a time.</summary>
    public static SendingDomain Valid() =>
        new()
        {
            Metadata = new() { Name = "mail-example-com", NamespaceProperty = "mail" },
            Spec = new SendingDomainSpec
            {
                Domain = "mail.example.com",
                ProviderRef = new ProviderRef { Name = "zone" },
                Ttl = 3600,
                Spf = new SpfSpec
                {
                    Ip4 = ["192.0.2.0/24"],
                    Include = ["_spf.esp.example.net"],
                    All = "softfail",
                },
                Dkim = new DkimSpec
                {
                    Series =
                    [
                        new DkimSeriesSpec
                        {
                            Algorithm = "rsa-sha256",
                            Size = 2048,
                            SelectorPrefix = "rsa",
                        },
                        new DkimSeriesSpec { Algorithm = "ed25519-sha256", SelectorPrefix = "ed" },
                    ],
                    Rotation = new DkimRotationSpec
                    {
                        Interval = "90d",
                        PropagationDelay = "1d",
                        RetireAfter = "7d",
                        RevokeFor = "7d",
                    },
                },
                Dmarc = new DmarcSpec { Policy = "reject", AggregateReportUris = ["mailto:dmarc@example.com"] },
            },
        };

    public static SendingDomain With(Action<SendingDomainSpec> change)
    {
        var sd = Valid();
        change(sd.Spec);
        return sd;
    }

    /// <summary>A SendingDomain in a namespace, from <see cref="Valid"/> with the given changes.</summary>
    public static SendingDomain Domain(string ns, string name, Action<SendingDomainSpec> change)
    {
        var sd = With(change);
        sd.Metadata = new() { Name = name, NamespaceProperty = ns };
        return sd;
    }

    /// <summary>A DnsProvider that writes a zone file (relative paths live in the operator's data directory).</summary>
    public static DnsProvider ZoneFileProvider(string ns, string name, string zone, string path) =>
        new()
        {
            Metadata = new() { Name = name, NamespaceProperty = ns },
            Spec = new DnsProviderSpec { Zone = zone, ZoneFile = new ZoneFileProviderSpec { Path = path } },
        };
}
