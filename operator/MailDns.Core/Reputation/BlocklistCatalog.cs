namespace MailDns.Core.Reputation;

/// <summary>
/// The lists checked unless the operator is told otherwise, each with its documented codes, and the rule for a list
/// given as <c>ZONE[:ip|:domain]</c>. Spamhaus refuses queries that reach it through a public resolver (it answers
/// 127.255.255.254); with a Data Query Service key the Spamhaus lists move to their keyed DQS zones.
/// </summary>
public static class BlocklistCatalog
{
    // Declared before the lists: static fields are set in order, and the lists read these.
    private static readonly string[] Trust = ["none", "low", "medium", "high"];

    private static readonly Dictionary<string, string> SpamhausErrors = new()
    {
        ["127.255.255.252"] = "Spamhaus: typing error in the list's name (query refused)",
        ["127.255.255.254"] = "Spamhaus refuses queries through public or open resolvers: use a resolver of your own or a Spamhaus DQS key",
        ["127.255.255.255"] = "Spamhaus: excessive number of queries (query refused)",
    };

    public static Blocklist SpamhausZen { get; } =
        new(
            "zen.spamhaus.org",
            ListKind.Ip,
            "Spamhaus ZEN",
            new ListCodes(
                new Dictionary<string, string>
                {
                    ["127.0.0.2"] = "SBL: Spamhaus SBL (direct spam source)",
                    ["127.0.0.3"] = "SBL CSS: snowshoe spam source",
                    ["127.0.0.4"] = "XBL: exploited or infected host (CBL)",
                    ["127.0.0.5"] = "XBL: exploited or infected host",
                    ["127.0.0.6"] = "XBL: exploited or infected host",
                    ["127.0.0.7"] = "XBL: exploited or infected host",
                    ["127.0.0.9"] = "SBL: Spamhaus DROP/EDROP (hijacked netblock)",
                    ["127.0.0.10"] = "PBL: end-user range (ISP maintained): should not send direct-to-MX mail",
                    ["127.0.0.11"] = "PBL: end-user range (Spamhaus maintained): should not send direct-to-MX mail",
                },
                SpamhausErrors
            )
        );

    public static Blocklist SpamhausDbl { get; } =
        new(
            "dbl.spamhaus.org",
            ListKind.Domain,
            "Spamhaus DBL",
            new ListCodes(
                new Dictionary<string, string>
                {
                    ["127.0.1.2"] = "DBL: spam domain",
                    ["127.0.1.4"] = "DBL: phishing domain",
                    ["127.0.1.5"] = "DBL: malware domain",
                    ["127.0.1.6"] = "DBL: botnet C&C domain",
                    ["127.0.1.102"] = "DBL: abused legitimate spam domain",
                    ["127.0.1.103"] = "DBL: abused legitimate spammed redirector",
                    ["127.0.1.104"] = "DBL: abused legitimate phishing domain",
                    ["127.0.1.105"] = "DBL: abused legitimate malware domain",
                    ["127.0.1.106"] = "DBL: abused legitimate botnet C&C domain",
                },
                new Dictionary<string, string>(SpamhausErrors)
                {
                    ["127.0.1.255"] = "Spamhaus DBL: IP queries are prohibited (query refused)",
                }
            )
        );

    public static Blocklist Barracuda { get; } =
        new("b.barracudacentral.org", ListKind.Ip, "Barracuda BRBL", Single("127.0.0.2", "Barracuda reputation block list"));

    public static Blocklist SpamCop { get; } =
        new("bl.spamcop.net", ListKind.Ip, "SpamCop", Single("127.0.0.2", "SpamCop: reported as a spam source"));

    public static Blocklist Surbl { get; } =
        new(
            "multi.surbl.org",
            ListKind.Domain,
            "SURBL multi",
            new ListCodes(
                new Dictionary<string, string>(),
                new Dictionary<string, string> { ["127.0.0.1"] = "SURBL: access blocked (query refused)" },
                new Dictionary<int, string>
                {
                    [8] = "PH: phishing",
                    [16] = "MW: malware",
                    [64] = "ABUSE: spam and abuse",
                    [128] = "CR: cracked site",
                }
            )
        );

    public static Blocklist Uribl { get; } =
        new(
            "multi.uribl.com",
            ListKind.Domain,
            "URIBL multi",
            new ListCodes(
                new Dictionary<string, string>(),
                new Dictionary<string, string> { ["127.0.0.1"] = "URIBL: query refused (public resolver or over the free query limit)" },
                new Dictionary<int, string>
                {
                    [2] = "black: spam domain",
                    [4] = "grey: bulk sender domain",
                    [8] = "red: seen in new spam",
                }
            )
        );

    public static Blocklist Dnswl { get; } =
        new(
            "list.dnswl.org",
            ListKind.Ip,
            "DNSWL",
            new ListCodes(
                Enumerable
                    .Range(2, 19)
                    .SelectMany(category =>
                        Trust.Select((trust, level) => ($"127.0.{category}.{level}", $"trust {trust} (category {category})"))
                    )
                    .ToDictionary(p => p.Item1, p => p.Item2),
                new Dictionary<string, string> { ["127.0.0.255"] = "DNSWL: query refused (public resolver or over the free query limit)" }
            ),
            Allowlist: true
        );

    /// <summary>The lists checked when none are configured.</summary>
    public static IReadOnlyList<Blocklist> BuiltIn { get; } = [SpamhausZen, SpamhausDbl, Barracuda, SpamCop, Surbl, Uribl, Dnswl];

    /// <summary>
    /// A list as given on the command line or in the operator's flags: <c>ZONE</c>, <c>ZONE:ip</c> or <c>ZONE:domain</c>. A
    /// built-in zone keeps its codes (and its kind when none is given); another zone uses the generic rule and is an IP
    /// list unless it says <c>:domain</c>. Null and an error naming the rule when the text is not a list.
    /// </summary>
    public static (Blocklist? List, string? Error) Parse(string text)
    {
        var colon = text.LastIndexOf(':');
        var (zone, kindText) = colon < 0 ? (text, null) : (text[..colon], text[(colon + 1)..]);
        zone = Names.DomainName.Normalize(zone);
        ListKind? kind = kindText switch
        {
            null => null,
            "ip" => ListKind.Ip,
            "domain" => ListKind.Domain,
            _ => (ListKind)(-1),
        };
        if (kind == (ListKind)(-1))
        {
            return (null, $"list '{text}': the kind after ':' must be 'ip' or 'domain'");
        }

        if (!Names.DomainName.IsValidDnsName(zone) || !zone.Contains('.'))
        {
            return (null, $"list '{text}': '{zone}' is not a DNS zone (two or more labels of letters, digits and hyphens)");
        }

        var known = BuiltIn.FirstOrDefault(l => l.Zone == zone);
        return known is not null
            ? (known with { Kind = kind ?? known.Kind }, null)
            : (new Blocklist(zone, kind ?? ListKind.Ip, zone, ListCodes.Generic), null);
    }

    /// <summary>
    /// The lists with a Spamhaus Data Query Service key: the Spamhaus zones are asked at KEY.zen.dq.spamhaus.net and
    /// KEY.dbl.dq.spamhaus.net, which answer any resolver. The key lives only in <see cref="Blocklist.QueryZone"/>.
    /// </summary>
    public static IReadOnlyList<Blocklist> WithDqsKey(IReadOnlyList<Blocklist> lists, string? key) =>
        string.IsNullOrWhiteSpace(key) || !IsValidDqsKey(key.Trim())
            ? lists
            : lists
                .Select(l =>
                    l.Zone switch
                    {
                        "zen.spamhaus.org" => l with { QueryZone = $"{key.Trim()}.zen.dq.spamhaus.net" },
                        "dbl.spamhaus.org" => l with { QueryZone = $"{key.Trim()}.dbl.dq.spamhaus.net" },
                        _ => l,
                    }
                )
                .ToList();

    /// <summary>A DQS key is letters and digits (it becomes a DNS label; anything else could move the query elsewhere).</summary>
    public static bool IsValidDqsKey(string key) => key.Length is > 0 and <= 63 && key.All(char.IsAsciiLetterOrDigit);

    private static ListCodes Single(string code, string meaning) =>
        new(new Dictionary<string, string> { [code] = meaning }, new Dictionary<string, string>());
}
