using MailDns.Core.Dkim;
using MailDns.Core.Records;
using MailDns.Core.Txt;
using MailDns.Testing;

namespace MailDns.Operator.Tests.Health;

/// <summary>
/// One real BIND on 127.0.0.1 serving a healthy domain and one zone per failure class, plus a second BIND playing
/// a stale secondary of stale.test that still serves the previous key. Shared by the health tests.
/// </summary>
public sealed class HealthZones : IDisposable
{
    public HealthZones()
    {
        Key = DkimKeyMaterial.Generate(DkimAlgorithm.Ed25519Sha256);
        OtherKey = DkimKeyMaterial.Generate(DkimAlgorithm.Ed25519Sha256);
        Rsa1024 = DkimKeyMaterial.Generate(DkimAlgorithm.RsaSha256, 1024);
        var key = Txt(Record(Key));
        var dmarc = "_dmarc IN TXT \"v=DMARC1; p=reject; rua=mailto:dmarc@reports.test\"";
        Primary = new BindServer([
            ("healthy.test", $"@ IN TXT \"v=spf1 ip4:192.0.2.0/24 include:_spf.esp.test -all\"\ns1._domainkey IN TXT {key}\n{dmarc}\n"),
            (
                "esp.test",
                """
                _spf IN TXT "v=spf1 ip4:198.51.100.0/24 ~all"
                nospf IN TXT "hello"
                chain1 IN TXT "v=spf1 a mx include:chain2.esp.test ~all"
                chain2 IN TXT "v=spf1 a mx include:chain3.esp.test ~all"
                chain3 IN TXT "v=spf1 a mx include:chain4.esp.test ~all"
                chain4 IN TXT "v=spf1 a ~all"
                chain1 IN A 192.0.2.1
                chain2 IN A 192.0.2.2
                chain3 IN A 192.0.2.3
                chain4 IN A 192.0.2.4
                chain1 IN MX 10 mail.esp.test.
                chain2 IN MX 10 mail.esp.test.
                chain3 IN MX 10 mail.esp.test.
                mail IN A 192.0.2.25
                """
            ),
            ("reports.test", "healthy.test._report._dmarc IN TXT \"v=DMARC1\"\nstale.test._report._dmarc IN TXT \"v=DMARC1\"\n"),
            (
                "twospf.test",
                $"@ IN TXT \"v=spf1 ip4:192.0.2.1 -all\"\n@ IN TXT \"v=spf1 ip4:192.0.2.2 "
                    + $"-all\"\n{dmarc.Replace("reports.test", "twospf.test", StringComparison.Ordinal)}\n"
            ),
            ("lookups.test", "@ IN TXT \"v=spf1 include:chain1.esp.test -all\"\n"),
            ("voids.test", "@ IN TXT \"v=spf1 a:nx1.voids.test a:nx2.voids.test exists:nx3.voids.test -all\"\n"),
            ("loop.test", "@ IN TXT \"v=spf1 include:a.loop.test -all\"\na IN TXT \"v=spf1 include:loop.test ~all\"\n"),
            ("notarget.test", "@ IN TXT \"v=spf1 include:nospf.esp.test -all\"\n"),
            (
                "bigmx.test",
                "@ IN TXT \"v=spf1 mx -all\"\n"
                    + string.Concat(Enumerable.Range(1, 11).Select(i => $"@ IN MX {i} mx{i}.bigmx.test.\nmx{i} IN A 192.0.2.{i}\n"))
            ),
            ("plusall.test", "@ IN TXT \"v=spf1 +all\"\n"),
            ("nodmarc.test", "@ IN TXT \"v=spf1 -all\"\n"),
            ("monitor.test", "@ IN TXT \"v=spf1 -all\"\n_dmarc IN TXT \"v=DMARC1; p=none\"\n"),
            ("unauthorised.test", "@ IN TXT \"v=spf1 -all\"\n_dmarc IN TXT \"v=DMARC1; p=reject; rua=mailto:d@reports.test\"\n"),
            (
                "keys.test",
                $"@ IN TXT \"v=spf1 -all\"\nwrong._domainkey IN TXT {Txt(Record(OtherKey))}\nrevoked._domainkey IN TXT "
                    + $"{key}\nweak._domainkey IN TXT {Txt(Record(Rsa1024))}\ntesting._domainkey IN TXT {Txt(Record(Key) + "; t=y")}\n"
            ),
            ("stale.test", $"@ IN TXT \"v=spf1 -all\"\ns2._domainkey IN TXT {key}\n"),
            // The receiver's view: an ESP-delegated selector, a CNAME'd SPF include and a DMARC service by CNAME.
            (
                "cnamed.test",
                """
                @ IN TXT "v=spf1 include:spf.cnamed.test -all"
                spf IN CNAME _spf.espmail.test.
                s1._domainkey IN CNAME s1.domainkey.u123.wl.espmail.test.
                loop1._domainkey IN CNAME loop2._domainkey.cnamed.test.
                loop2._domainkey IN CNAME loop1._domainkey.cnamed.test.
                _dmarc IN CNAME cnamed.test.dmarc.dmarcservice.test.
                """
            ),
            // A typo in sp: the subdomain inherits a record whose sp is not a policy.
            (
                "typo.test",
                """
                @ IN TXT "v=spf1 -all"
                mail IN TXT "v=spf1 -all"
                _dmarc IN TXT "v=DMARC1; p=reject; sp=quarantin; rua=mailto:d@typo.test"
                """
            ),
            // An organisational domain under a two-label public suffix: mail inherits, news has its own record.
            (
                "example.co.uk",
                """
                _dmarc IN TXT "v=DMARC1; p=reject; sp=quarantine; rua=mailto:d@example.co.uk,mailto:agg@reports.other.co.uk"
                mail IN TXT "v=spf1 -all"
                news IN TXT "v=spf1 -all"
                _dmarc.news IN TXT "v=DMARC1; p=reject; rua=mailto:d@example.co.uk,mailto:d@reports.other.co.uk"
                """
            ),
        ]);
        // The rest of the Internet: top-level zones (so _dmarc.test is NXDOMAIN, as it is for real), an ESP, a DMARC
        // service and a neighbour under co.uk, served by another server and reached only through the resolver.
        Internet = new BindServer([
            ("test", ""),
            ("uk", ""),
            ("co.uk", ""),
            (
                "other.co.uk",
                "news.example.co.uk._report._dmarc.reports IN TXT \"v=DMARC1\"\n"
                    + "example.co.uk._report._dmarc.reports IN TXT \"v=DMARC1\"\n"
            ),
            ("espmail.test", $"_spf IN TXT \"v=spf1 ip4:203.0.113.0/24 ~all\"\ns1.domainkey.u123.wl IN TXT {key}\n"),
            (
                "dmarcservice.test",
                "cnamed.test.dmarc IN TXT \"v=DMARC1; p=quarantine; rua=mailto:agg@dmarcservice.test\"\n"
                    + "cnamed.test._report._dmarc IN TXT \"v=DMARC1\"\n"
            ),
        ]);
        Resolver = new ResolverServer([
            .. Internet.Zones.Select(z => (z, (DnsServerProcess)Internet)),
            .. Primary.Zones.Select(z => (z, (DnsServerProcess)Primary)),
        ]);
        Secondary = new BindServer([("stale.test", $"@ IN TXT \"v=spf1 -all\"\ns2._domainkey IN TXT {Txt(Record(OtherKey))}\n")]);
    }

    public DkimKeyMaterial Key { get; }

    public DkimKeyMaterial OtherKey { get; }

    public DkimKeyMaterial Rsa1024 { get; }

    public BindServer Primary { get; }

    public BindServer Secondary { get; }

    /// <summary>Serves the zones outside the domains under test (TLDs, the ESP, the DMARC service).</summary>
    public BindServer Internet { get; }

    /// <summary>A recursive resolver over <see cref="Primary"/> and <see cref="Internet"/>: the receiver's view.</summary>
    public ResolverServer Resolver { get; }

    public static string Record(DkimKeyMaterial key, bool revoked = false) =>
        new DkimPublicKey("s", key.Algorithm, key.PublicKey, revoked).RecordValue;

    public static DesiredRecord Dkim(string domain, string selector, DkimKeyMaterial key, bool revoked = false) =>
        new($"{selector}._domainkey.{domain}", 300, Record(key, revoked), RecordPurpose.Dkim, "default/test", selector);

    private static string Txt(string value) => TxtStrings.Quote(TxtStrings.Split(value));

    public void Dispose()
    {
        Resolver.Dispose();
        Internet.Dispose();
        Primary.Dispose();
        Secondary.Dispose();
    }
}
