namespace MailDns.Testing;

/// <summary>
/// A real BIND on 127.0.0.1 serving test copies of the blocklist zones, with an entry for every class of answer, and the
/// reverse and forward zones of a sender's addresses. The built-in lists are asked under their real zone names, which
/// this server answers for (the test's "Internet"); a zone it does not serve is answered REFUSED, as a resolver that
/// will not recurse does.
/// </summary>
public sealed class BlocklistZones : IDisposable
{
    // Addresses (192.0.2.0/24 and 2001:db8::/32 are documentation ranges, RFC 5737 and RFC 3849).
    public const string Clean = "192.0.2.1";
    public const string SpamhausSbl = "192.0.2.2";
    public const string SpamhausXblAndPbl = "192.0.2.3";
    public const string SpamhausPublicResolver = "192.0.2.10";
    public const string GenericListed = "192.0.2.5";
    public const string GenericRefused = "192.0.2.6";
    public const string GenericNotDnsbl = "192.0.2.7";
    public const string NoPtr = "192.0.2.20";
    public const string PtrMismatch = "192.0.2.21";
    public const string CleanV6 = "2001:db8::1";
    public const string SpamhausSblV6 = "2001:db8::2";

    // Domains.
    public const string CleanDomain = "sender.example";
    public const string DblSpam = "spammer.example";
    public const string UriblBlackGrey = "grey.example";
    public const string UriblRefused = "blocked.example";
    public const string SurblPhishMalware = "phish.example";

    /// <summary>The generic list (no built-in codes): 127.0.0.2–254 listed, 127.255.255.0/24 refused.</summary>
    public const string GenericList = "bl.test.example";

    // The nibbles of 2001:db8::2 after 2001:db8 (RFC 5782 §2.4), reversed; and of 2001:db8::1 within its ip6.arpa zone.
    private static readonly string V6Sbl = string.Join('.', "000000000000000000000002".Reverse()) + ".8.b.d.0.1.0.0.2";

    private static readonly string V6Clean = string.Join('.', "000000000000000000000001".Reverse());

    public BlocklistZones()
    {
        Server = new BindServer(
            [
                (
                    "zen.spamhaus.org",
                    "2.2.0.192 0 A 127.0.0.2\n3.2.0.192 A 127.0.0.4\n3.2.0.192 A 127.0.0.10\n10.2.0.192 A 127.255.255.254\n"
                        + $"{V6Sbl} A 127.0.0.2"
                ),
                ("dbl.spamhaus.org", "spammer.example A 127.0.1.2"),
                ("multi.uribl.com", "grey.example A 127.0.0.6\nblocked.example A 127.0.0.1"),
                ("multi.surbl.org", "phish.example A 127.0.0.24"),
                ("list.dnswl.org", "1.2.0.192 A 127.0.3.2"),
                ("bl.spamcop.net", ""),
                ("b.barracudacentral.org", ""),
                (GenericList, "5.2.0.192 A 127.0.0.5\n6.2.0.192 A 127.255.255.1\n7.2.0.192 A 10.0.0.1"),
                ("2.0.192.in-addr.arpa", "1 PTR mail.sender.example.\n2 PTR mail2.sender.example.\n21 PTR other.sender.example."),
                ("8.b.d.0.1.0.0.2.ip6.arpa", $"{V6Clean} PTR mail6.sender.example."),
                (CleanDomain, "mail A 192.0.2.1\nmail2 A 192.0.2.2\nmail6 AAAA 2001:db8::1\nother A 192.0.2.99"),
            ]
        );
    }

    public BindServer Server { get; }

    /// <summary>Takes 192.0.2.2 off Spamhaus ZEN (its listing has a TTL of 0, so no cache holds it).</summary>
    public void DelistSpamhausSbl() => Server.Update("update delete 2.2.0.192.zen.spamhaus.org. A\n");

    /// <summary>The resolver argument of the CLI: this server.</summary>
    public string Resolver => $"127.0.0.1:{Server.Port}";

    public void Dispose() => Server.Dispose();
}
